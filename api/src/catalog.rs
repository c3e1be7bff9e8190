//! The value of a template index (`opt14/index`, `adl2/index`), laid out so that listing is a slice.
//!
//! Two lines of compact JSON (compact serde_json output never contains a raw newline):
//! 1. the list answer itself, exactly the bytes `GET …/template/…` returns: `[{list item}, …]`;
//! 2. where each listed template's body is, in the same order: `[{"etag", "size", "chunks"}, …]`.
//!
//! Both lines live in ONE value, so the single CAS that commits an upload still changes both at once.
//! A value without a newline is the older layout (one array of flat entries); it is still read, and
//! the next upload rewrites it in this layout.

use crate::blob::Manifest;
use crate::error::ApiError;
use crate::index::{self, Decision};
use crate::store::{KvStore, StoreError};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// One template as an index holds it: its list item `I` plus where its body is. Serialized flat,
/// which is also the shape of the per-template `…/id/…` read-cache values.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Entry<I> {
    #[serde(flatten)]
    pub item: I,
    #[serde(flatten)]
    pub body: StoredBody,
}

/// Where a template's bytes are and their strong ETag.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "FlatBody")]
pub(crate) struct StoredBody {
    /// The strong ETag, quotes included: SHA-256 of the body, computed once at upload.
    pub etag: String,
    #[serde(flatten)]
    pub manifest: Manifest,
}

/// The same fields read directly: a flattened field makes serde buffer every field of the value first,
/// which was a third of the API's time for `GET` of one template (it reads its record on every request).
#[derive(Deserialize)]
struct FlatBody {
    etag: String,
    size: u64,
    chunks: Vec<String>,
}

impl From<FlatBody> for StoredBody {
    fn from(flat: FlatBody) -> Self {
        StoredBody { etag: flat.etag, manifest: Manifest { size: flat.size, chunks: flat.chunks } }
    }
}

/// Every entry of the index at `key` (none when absent).
pub(crate) fn read<I: DeserializeOwned>(store: &dyn KvStore, key: &str) -> Result<Vec<Entry<I>>, StoreError> {
    match store.get(key)? {
        Some(raw) => decode(key, &raw),
        None => Ok(Vec::new()),
    }
}

/// The list answer of the index at `key`: the stored value's first line, never parsed.
pub(crate) fn list<I: Serialize + DeserializeOwned>(store: &dyn KvStore, key: &str) -> Result<Vec<u8>, StoreError> {
    match store.get(key)? {
        Some(raw) => list_body::<I>(key, raw),
        None => Ok(b"[]".to_vec()),
    }
}

/// Changes the index at `key` with one CAS (the commit point), see [`index::update_with`].
pub(crate) fn update<I: Serialize + DeserializeOwned, R>(
    store: &dyn KvStore,
    key: &str,
    decide: impl FnMut(&mut Vec<Entry<I>>) -> Result<Decision<R>, ApiError>,
) -> Result<R, ApiError> {
    index::update_with(store, key, |raw| decode(key, raw), |entries| encode(key, entries), decide)
}

/// Writes the two-line value.
fn encode<I: Serialize>(key: &str, entries: &[Entry<I>]) -> Result<Vec<u8>, StoreError> {
    let fail = |e: serde_json::Error| StoreError(format!("cannot encode {key}: {e}"));
    let items: Vec<&I> = entries.iter().map(|e| &e.item).collect();
    let bodies: Vec<&StoredBody> = entries.iter().map(|e| &e.body).collect();
    let mut value = serde_json::to_vec(&items).map_err(fail)?;
    value.push(b'\n');
    serde_json::to_writer(&mut value, &bodies).map_err(fail)?;
    Ok(value)
}

/// Reads every entry (either layout). Anything unreadable is a storage fault, never a panic.
fn decode<I: DeserializeOwned>(key: &str, raw: &[u8]) -> Result<Vec<Entry<I>>, StoreError> {
    let corrupt = |e: serde_json::Error| StoreError(format!("value of {key} is corrupt: {e}"));
    let Some(newline) = memchr::memchr(b'\n', raw) else {
        return serde_json::from_slice(raw).map_err(corrupt);
    };
    let items: Vec<I> = serde_json::from_slice(&raw[..newline]).map_err(corrupt)?;
    let bodies: Vec<StoredBody> = serde_json::from_slice(&raw[newline + 1..]).map_err(corrupt)?;
    if items.len() != bodies.len() {
        return Err(StoreError(format!(
            "value of {key} is corrupt: {} items but {} bodies",
            items.len(),
            bodies.len()
        )));
    }
    Ok(items.into_iter().zip(bodies).map(|(item, body)| Entry { item, body }).collect())
}

/// The list answer from a stored value, without parsing it: its first line, in place.
/// An older-layout value is decoded and its items serialized (the same bytes, just slower).
fn list_body<I: Serialize + DeserializeOwned>(key: &str, mut raw: Vec<u8>) -> Result<Vec<u8>, StoreError> {
    if let Some(newline) = memchr::memchr(b'\n', &raw) {
        raw.truncate(newline);
        // Not parsed, but a line that is not even an array is corrupt, not an answer.
        if !(raw.starts_with(b"[") && raw.ends_with(b"]")) {
            return Err(StoreError(format!("value of {key} is corrupt: its first line is not a JSON array")));
        }
        return Ok(raw);
    }
    let entries: Vec<Entry<I>> = decode(key, &raw)?;
    let items: Vec<&I> = entries.iter().map(|e| &e.item).collect();
    serde_json::to_vec(&items).map_err(|e| StoreError(format!("cannot encode the list of {key}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Item {
        template_id: String,
        concept: String,
    }

    fn entry(id: &str, concept: &str) -> Entry<Item> {
        Entry {
            item: Item { template_id: id.into(), concept: concept.into() },
            body: StoredBody {
                etag: format!("\"{id}\""),
                manifest: Manifest { size: 3, chunks: vec![format!("blob/{id}")] },
            },
        }
    }

    #[test]
    fn the_first_line_is_exactly_the_serialized_list() {
        let entries = vec![entry("a", "line\nbreak"), entry("b", "x")];
        let value = encode("k", &entries).unwrap();
        let items: Vec<&Item> = entries.iter().map(|e| &e.item).collect();
        assert_eq!(list_body::<Item>("k", value.clone()).unwrap(), serde_json::to_vec(&items).unwrap());
        let decoded = decode::<Item>("k", &value).unwrap();
        assert_eq!(decoded.len(), 2);
        assert_eq!(decoded[0].item, entries[0].item);
        assert_eq!(decoded[1].body.manifest, entries[1].body.manifest);
        assert_eq!(decoded[1].body.etag, "\"b\"");
    }

    #[test]
    fn an_older_single_array_value_still_reads_and_lists() {
        let entries = vec![entry("a", "x")];
        let legacy = serde_json::to_vec(&entries).unwrap();
        assert_eq!(
            String::from_utf8(legacy.clone()).unwrap(),
            r#"[{"template_id":"a","concept":"x","etag":"\"a\"","size":3,"chunks":["blob/a"]}]"#
        );
        assert_eq!(list_body::<Item>("k", legacy.clone()).unwrap(), br#"[{"template_id":"a","concept":"x"}]"#);
        assert_eq!(decode::<Item>("k", &legacy).unwrap()[0].item, entries[0].item);
    }

    #[test]
    fn mismatched_or_garbled_lines_are_storage_faults() {
        let two_items_one_body = br#"[{"template_id":"a","concept":"x"},{"template_id":"b","concept":"y"}]
[{"etag":"\"a\"","size":3,"chunks":[]}]"#;
        assert!(decode::<Item>("k", two_items_one_body).unwrap_err().0.contains("2 items but 1 bodies"));
        assert!(decode::<Item>("k", b"[\n").is_err());
        assert!(decode::<Item>("k", b"\xff\xfe").is_err());
        assert!(list_body::<Item>("k", b"not json".to_vec()).is_err());
        assert!(list_body::<Item>("k", b"\n[]".to_vec()).is_err());
        assert!(list_body::<Item>("k", b"{}\n[]".to_vec()).is_err());
    }
}
