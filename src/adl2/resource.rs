//! What the header reports from the ODIN of the `language` and `description` sections.

use super::Adl2Header;
use super::odin::{Entry, Value};

/// `original_language = <[ISO_639-1::en]>` and the keys of `translations = <["de"] = <...>>`.
pub(super) fn read_language(entries: &[Entry], header: &mut Adl2Header) {
    for entry in entries.iter().filter(|e| !e.keyed) {
        match (entry.key.as_str(), &entry.value) {
            ("original_language", Value::Codes(codes)) => header.original_language = codes.first().cloned(),
            ("translations", Value::Entries(languages)) => {
                header.translations = languages.iter().filter(|e| e.keyed).map(|e| e.key.clone()).collect();
            }
            _ => {}
        }
    }
}

/// `lifecycle_state = <"unmanaged">` and `original_author = <["name"] = <"...">, ...>`.
pub(super) fn read_description(entries: &[Entry], header: &mut Adl2Header) {
    for entry in entries.iter().filter(|e| !e.keyed) {
        match (entry.key.as_str(), &entry.value) {
            ("lifecycle_state", Value::Strings(states)) => header.lifecycle_state = states.first().cloned(),
            ("lifecycle_state", Value::Codes(states)) => header.lifecycle_state = states.first().cloned(),
            ("original_author", Value::Entries(items)) => {
                header.original_author = items
                    .iter()
                    .filter_map(|item| match &item.value {
                        Value::Strings(values) if item.keyed => Some((item.key.clone(), values.join(", "))),
                        _ => None,
                    })
                    .collect();
            }
            _ => {}
        }
    }
}
