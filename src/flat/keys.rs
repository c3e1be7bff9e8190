//! FLAT keys: `root/node:0/leaf|suffix` split into segments and resolved against the web template
//! tree, plus the RM attribute suffixes and `_underscore` attributes the EHRbase SDK accepts
//! beyond the web template's inputs.

use std::sync::OnceLock;

use crate::web_template::Node;

/// One `/`-separated segment: a node id and its optional `:N` index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment<'k> {
    pub id: &'k str,
    pub index: Option<u32>,
    /// Byte offset of the segment in the key (for messages).
    pub offset: usize,
}

/// A key split into its path segments and its `|suffix` (`None` when absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key<'k> {
    pub segments: Vec<Segment<'k>>,
    pub suffix: Option<&'k str>,
}

/// Keys with more segments are refused: no template is that deep, and the STRUCTURED tree built
/// from keys must stay shallow enough to walk and drop.
pub const MAX_SEGMENTS: usize = 128;

/// Why a key could not be split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    Empty,
    BadIndex(String),
    TooDeep,
}

/// Splits `a/b:1/c|suffix`. The suffix may itself carry `:N` (`|identifiers_id:0`).
pub fn split(key: &str) -> Result<Key<'_>, KeyError> {
    let (path, suffix) = match key.split_once('|') {
        Some((p, s)) => (p, Some(s)),
        None => (key, None),
    };
    let mut segments = Vec::new();
    let mut offset = 0;
    for part in path.split('/') {
        if segments.len() == MAX_SEGMENTS {
            return Err(KeyError::TooDeep);
        }
        if part.is_empty() {
            return Err(KeyError::Empty);
        }
        let (id, index) = match part.split_once(':') {
            Some((id, n)) => match parse_index(n) {
                Some(n) if !id.is_empty() => (id, Some(n)),
                _ => return Err(KeyError::BadIndex(part.to_string())),
            },
            None => (part, None),
        };
        segments.push(Segment { id, index, offset });
        offset += part.len() + 1;
    }
    Ok(Key { segments, suffix })
}

/// A `:N` index: decimal digits only, no sign, no leading zeros, fits u32.
pub fn parse_index(n: &str) -> Option<u32> {
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) || (n.len() > 1 && n.starts_with('0')) {
        return None;
    }
    n.parse().ok()
}

/// `_underscore` RM attributes the SDK reads on any node (LOCATABLE, ENTRY, ELEMENT, EVENT_CONTEXT,
/// data values). What follows them (sub-paths, suffixes) is the RM's, not the template's.
pub const UNDERSCORE_ATTRIBUTES: &[&str] = &[
    "_uid",
    "_feeder_audit",
    "_link",
    "_name",
    "_health_care_facility",
    "_participation",
    "_other_participation",
    "_location",
    "_end_time",
    "_setting",
    "_identifier",
    "_work_flow_id",
    "_guideline_id",
    "_wf_definition",
    "_provider",
    "_instruction_details",
    "_action_archetype_id",
    "_expiry_time",
    "_narrative",
    "_language",
    "_encoding",
    "_charset",
    "_null_flavour",
    "_null_reason",
    "_normal_range",
    "_other_reference_ranges",
    "_mapping",
    "_accuracy",
    "_thumbnail",
    "_reason",
    "_magnitude_status",
    "_normal_status",
];

/// Suffixes the RM type of a node accepts in FLAT besides its web-template inputs. `""` stands
/// for the plain key without a suffix.
pub fn rm_suffixes(rm_type: &str) -> &'static [&'static str] {
    match rm_type {
        // A DV_CODED_TEXT may stand where a DV_TEXT is constrained (RM subtype).
        "DV_TEXT" => {
            &["", "value", "code", "terminology", "other", "preferred_term", "formatting", "language", "encoding"]
        }
        "DV_CODED_TEXT" => {
            &["", "code", "value", "terminology", "other", "preferred_term", "formatting", "language", "encoding"]
        }
        "CODE_PHRASE" => &["", "code", "value", "terminology", "preferred_term"],
        "DV_QUANTITY" => &[
            "magnitude",
            "unit",
            "precision",
            "units_system",
            "units_display_name",
            "magnitude_status",
            "normal_status",
            "accuracy",
            "accuracy_is_percent",
        ],
        "DV_COUNT" => &["", "magnitude", "magnitude_status", "normal_status", "accuracy", "accuracy_is_percent"],
        "DV_PROPORTION" => &[
            "",
            "numerator",
            "denominator",
            "type",
            "precision",
            "magnitude_status",
            "normal_status",
            "accuracy",
            "accuracy_is_percent",
        ],
        "DV_ORDINAL" | "DV_SCALE" => &["", "code", "value", "ordinal", "terminology", "normal_status"],
        "DV_BOOLEAN" => &["", "value"],
        "DV_DATE_TIME" | "DV_DATE" | "DV_TIME" => {
            &["", "value", "magnitude_status", "normal_status", "accuracy", "accuracy_is_percent"]
        }
        "DV_DURATION" => &[
            "",
            "value",
            "year",
            "month",
            "week",
            "day",
            "hour",
            "minute",
            "second",
            "magnitude_status",
            "normal_status",
            "accuracy",
            "accuracy_is_percent",
        ],
        "DV_IDENTIFIER" => &["", "id", "issuer", "assigner", "type"],
        "DV_URI" | "DV_EHR_URI" => &["", "value"],
        "DV_MULTIMEDIA" => &[
            "",
            "url",
            "uri",
            "value",
            "mediatype",
            "size",
            "alternatetext",
            "compression_algorithm",
            "integrity_check",
            "integrity_check_algorithm",
            "data",
            "language",
            "charset",
        ],
        "DV_PARSABLE" => &["", "value", "formalism", "language", "charset"],
        "DV_STATE" => &["", "value", "code", "terminology", "is_terminal"],
        "DV_INTERVAL<DV_QUANTITY>"
        | "DV_INTERVAL<DV_COUNT>"
        | "DV_INTERVAL<DV_DATE_TIME>"
        | "DV_INTERVAL<DV_DATE>"
        | "DV_INTERVAL<DV_TIME>"
        | "DV_INTERVAL<DV_DURATION>"
        | "DV_INTERVAL<DV_PROPORTION>"
        | "DV_INTERVAL<DV_ORDINAL>"
        | "DV_INTERVAL" => &["lower_included", "upper_included", "lower_unbounded", "upper_unbounded"],
        "PARTY_PROXY" | "PARTY_IDENTIFIED" | "PARTY_SELF" | "PARTY_RELATED" => {
            &["", "id", "id_scheme", "id_namespace", "name", "type", "relationship"]
        }
        "PARTICIPATION" => &["function", "mode", "id", "id_scheme", "id_namespace", "name"],
        "EVENT" | "INTERVAL_EVENT" => &["sample_count"],
        _ => &[],
    }
}

/// Party suffixes with an index: `|identifiers_id:0` etc. (PARTY_IDENTIFIED.identifiers).
pub fn is_indexed_party_suffix(rm_type: &str, suffix: &str) -> bool {
    if !rm_type.starts_with("PARTY_") {
        return false;
    }
    let Some((name, n)) = suffix.split_once(':') else { return false };
    matches!(name, "identifiers_id" | "identifiers_issuer" | "identifiers_assigner" | "identifiers_type")
        && parse_index(n).is_some()
}

/// `ctx/...` keys of the SDK's context (EHRbase `DefaultValues`, Better's `ctx`), by base name
/// (suffixes and `:N` indexes stripped).
const CONTEXT_KEYS: &[&str] = &[
    "language",
    "territory",
    "encoding",
    "composer_name",
    "composer_id",
    "composer_self",
    "id_scheme",
    "id_namespace",
    "health_care_facility",
    "time",
    "end_time",
    "history_origin",
    "setting",
    "category",
    "location",
    "participation_name",
    "participation_function",
    "participation_mode",
    "participation_id",
    "participation_id_scheme",
    "participation_id_namespace",
    "provider_name",
    "provider_id",
    "work_flow_id",
    "action_time",
    "action_ism_transition_current_state",
    "instruction_narrative",
    "activity_timing",
    "template_id",
    "uid",
];

/// Whether `ctx/<rest>` is a context key the SDK defines.
pub fn is_context_key(rest: &str) -> bool {
    let base = rest.split(['|', ':', '/']).next().unwrap_or("");
    CONTEXT_KEYS.contains(&base)
}

/// The child of `node` with this id: a web template child, or an RM attribute the template does
/// not constrain but the SDK fills (an EVENT's `width`/`math_function` make it an INTERVAL_EVENT,
/// an OBSERVATION's `history_origin`, a party's `relationship`).
pub fn child<'w>(node: &'w Node, id: &str) -> Option<&'w Node> {
    node.children.iter().find(|c| c.id == id).or_else(|| rm_child(&node.rm_type, id))
}

/// (parent RM type, attribute, attribute RM type) of the RM children FLAT may add (also an
/// interval's bounds when the template leaves them unconstrained).
const RM_CHILDREN: &[(&str, &str, &str)] = &[
    ("EVENT", "width", "DV_DURATION"),
    ("EVENT", "math_function", "DV_CODED_TEXT"),
    ("EVENT", "sample_count", "DV_COUNT"),
    ("INTERVAL_EVENT", "sample_count", "DV_COUNT"),
    ("OBSERVATION", "history_origin", "DV_DATE_TIME"),
    ("PARTY_PROXY", "relationship", "DV_CODED_TEXT"),
    ("PARTY_RELATED", "relationship", "DV_CODED_TEXT"),
    ("DV_INTERVAL<DV_QUANTITY>", "lower", "DV_QUANTITY"),
    ("DV_INTERVAL<DV_QUANTITY>", "upper", "DV_QUANTITY"),
    ("DV_INTERVAL<DV_COUNT>", "lower", "DV_COUNT"),
    ("DV_INTERVAL<DV_COUNT>", "upper", "DV_COUNT"),
    ("DV_INTERVAL<DV_DATE_TIME>", "lower", "DV_DATE_TIME"),
    ("DV_INTERVAL<DV_DATE_TIME>", "upper", "DV_DATE_TIME"),
    ("DV_INTERVAL<DV_DATE>", "lower", "DV_DATE"),
    ("DV_INTERVAL<DV_DATE>", "upper", "DV_DATE"),
    ("DV_INTERVAL<DV_TIME>", "lower", "DV_TIME"),
    ("DV_INTERVAL<DV_TIME>", "upper", "DV_TIME"),
    ("DV_INTERVAL<DV_DURATION>", "lower", "DV_DURATION"),
    ("DV_INTERVAL<DV_DURATION>", "upper", "DV_DURATION"),
    ("DV_INTERVAL<DV_PROPORTION>", "lower", "DV_PROPORTION"),
    ("DV_INTERVAL<DV_PROPORTION>", "upper", "DV_PROPORTION"),
    ("DV_INTERVAL<DV_ORDINAL>", "lower", "DV_ORDINAL"),
    ("DV_INTERVAL<DV_ORDINAL>", "upper", "DV_ORDINAL"),
];

fn rm_child(parent_rm: &str, id: &str) -> Option<&'static Node> {
    static NODES: OnceLock<Vec<(&'static str, Node)>> = OnceLock::new();
    let nodes = NODES.get_or_init(|| {
        RM_CHILDREN
            .iter()
            .map(|(p, a, t)| (*p, Node { id: (*a).into(), rm_type: (*t).into(), min: 0, max: 1, ..Node::default() }))
            .collect()
    });
    nodes.iter().find(|(p, n)| *p == parent_rm && n.id == id).map(|(_, n)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keys() {
        let k = split("a/b:12/c|identifiers_id:0").unwrap();
        assert_eq!(k.segments[1], Segment { id: "b", index: Some(12), offset: 2 });
        assert_eq!(k.suffix, Some("identifiers_id:0"));
        assert_eq!(split("a//b"), Err(KeyError::Empty));
        assert_eq!(split("a/b:01"), Err(KeyError::BadIndex("b:01".into())));
        assert_eq!(split("a/b:-1"), Err(KeyError::BadIndex("b:-1".into())));
        assert_eq!(split("a/:1"), Err(KeyError::BadIndex(":1".into())));
        assert_eq!(split(&"a/".repeat(MAX_SEGMENTS + 1)), Err(KeyError::TooDeep));
    }
}
