//! What the builder knows about the openEHR reference model: mandatory attributes, properties
//! shown only as context, data value types, which types are LOCATABLE.

/// RM properties that are never shown as their own nodes, or shown only as context.
pub(super) fn ignored_property(rm_type: &str, attr: &str) -> bool {
    matches!((rm_type, attr), ("COMPOSITION", "category") | ("HISTORY", "origin") | ("DV_CODED_TEXT", "value"))
        || attr == "archetype_node_id"
        || attr == "name"
}

/// Mandatory RM attributes (existence 1..1) a template rarely constrains, with their RM types:
/// the builder adds them as context nodes where the template leaves them out.
pub(super) fn required_rm_attributes(rm_type: &str) -> &'static [(&'static str, &'static str)] {
    const ENTRY: &[(&str, &str)] =
        &[("language", "CODE_PHRASE"), ("encoding", "CODE_PHRASE"), ("subject", "PARTY_PROXY")];
    match rm_type {
        "COMPOSITION" => &[("language", "CODE_PHRASE"), ("territory", "CODE_PHRASE"), ("composer", "PARTY_PROXY")],
        "EVENT_CONTEXT" => &[("start_time", "DV_DATE_TIME"), ("setting", "DV_CODED_TEXT")],
        "OBSERVATION" | "EVALUATION" | "ADMIN_ENTRY" | "GENERIC_ENTRY" => ENTRY,
        "INSTRUCTION" => &[
            ("narrative", "DV_TEXT"),
            ("language", "CODE_PHRASE"),
            ("encoding", "CODE_PHRASE"),
            ("subject", "PARTY_PROXY"),
        ],
        "ACTION" => &[
            ("time", "DV_DATE_TIME"),
            ("language", "CODE_PHRASE"),
            ("encoding", "CODE_PHRASE"),
            ("subject", "PARTY_PROXY"),
        ],
        "EVENT" | "POINT_EVENT" => &[("time", "DV_DATE_TIME")],
        "INTERVAL_EVENT" => &[("width", "DV_DURATION"), ("math_function", "DV_CODED_TEXT"), ("time", "DV_DATE_TIME")],
        "ACTIVITY" => &[("timing", "DV_PARSABLE"), ("action_archetype_id", "STRING")],
        _ => &[],
    }
}

/// Every data value type an unconstrained ELEMENT may hold, as the reference offers them.
pub(super) const ANY_DATA_TYPES: &[&str] = &[
    "DV_CODED_TEXT",
    "DV_TEXT",
    "DV_MULTIMEDIA",
    "DV_PARSABLE",
    "DV_STATE",
    "DV_BOOLEAN",
    "DV_IDENTIFIER",
    "DV_URI",
    "DV_EHR_URI",
    "DV_DURATION",
    "DV_QUANTITY",
    "DV_COUNT",
    "DV_PROPORTION",
    "DV_DATE_TIME",
    "DV_DATE",
    "DV_TIME",
    "DV_ORDINAL",
    "DV_SCALE",
];

/// Whether objects of this RM type carry archetype node ids (data values and the composition's
/// context do not; everything else a template constrains with a node id does).
pub(super) fn locatable(rm_type: &str) -> bool {
    !is_data_value(rm_type) && !matches!(rm_type, "EVENT_CONTEXT" | "CODE_PHRASE" | "ISM_TRANSITION" | "PARTY_PROXY")
}

pub(super) fn is_data_value(rm_type: &str) -> bool {
    rm_type.starts_with("DV_")
}
