//! Which kind of artefact a file holds, decided from its content (never from its name).

use crate::text::{looks_like_utf16, strip_bom};

/// The artefact kinds the toolkit understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null, hashmap_as_object))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Kind {
    /// An ADL 1.4 operational template in XML.
    Opt14,
    /// An ADL 2 archetype, template, template overlay or operational template in text.
    Adl2,
    /// An AQL query (text starting with SELECT, in any case, after `--` comments).
    Aql,
    /// Neither (or empty).
    Unknown,
}

impl Kind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Opt14 => "opt14",
            Kind::Adl2 => "adl2",
            Kind::Aql => "aql",
            Kind::Unknown => "unknown",
        }
    }
}

/// ADL 2 artefacts open with one of these keywords, after any `--` comment lines.
const ADL2_KEYWORDS: &[&str] = &["archetype", "template", "template_overlay", "operational_template"];

/// Detects the kind from the first significant bytes: `<` (or a UTF-16 mark) means XML,
/// an ADL keyword means ADL 2, `SELECT` (any case) means AQL. Reads only as far as the first
/// significant token. (`--` starts a comment in both ADL and AQL.)
pub fn detect_kind(input: &[u8]) -> Kind {
    let bytes = strip_bom(input);
    if looks_like_utf16(bytes) {
        return Kind::Opt14;
    }
    let mut rest = bytes;
    loop {
        rest = rest.trim_ascii_start();
        if rest.starts_with(b"--") {
            // An ADL comment line: skip to its end.
            rest = match memchr::memchr(b'\n', rest) {
                Some(i) => &rest[i + 1..],
                None => &[],
            };
            continue;
        }
        break;
    }
    if rest.first() == Some(&b'<') {
        return Kind::Opt14;
    }
    let word_len = rest.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
    let word = &rest[..word_len];
    let next = rest.get(word_len).copied();
    let ends_word = matches!(next, None | Some(b' ' | b'\t' | b'\r' | b'\n' | b'('));
    if ends_word && ADL2_KEYWORDS.iter().any(|k| k.as_bytes() == word) {
        return Kind::Adl2;
    }
    let ends_aql_word = matches!(next, None | Some(b' ' | b'\t' | b'\r' | b'\n' | b'-'));
    if ends_aql_word && word.eq_ignore_ascii_case(b"select") {
        return Kind::Aql;
    }
    Kind::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_from_content() {
        assert_eq!(detect_kind(b"\xEF\xBB\xBF  <?xml version='1.0'?><template/>"), Kind::Opt14);
        assert_eq!(detect_kind(b"\xFF\xFE<\0"), Kind::Opt14);
        assert_eq!(detect_kind(b"-- comment\narchetype (adl_version=2.0.6)"), Kind::Adl2);
        assert_eq!(detect_kind(b"template_overlay\n"), Kind::Adl2);
        assert_eq!(detect_kind(b"templates are nice"), Kind::Unknown);
        assert_eq!(detect_kind(b""), Kind::Unknown);
        assert_eq!(detect_kind(b"{\"json\": true}"), Kind::Unknown);
        assert_eq!(detect_kind(b"-- all EHRs\n  select e FROM EHR e"), Kind::Aql);
        assert_eq!(detect_kind(b"SELECT"), Kind::Aql);
        assert_eq!(detect_kind(b"selection of templates"), Kind::Unknown);
    }
}
