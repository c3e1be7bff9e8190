//! The few openEHR terminology groups the builder shows as labels, as data. Source: the openEHR
//! terminology (`openehr_terminology.xml`, openEHR/specifications-TERM), English rubrics.

/// ISM states (group "instruction states"), in the terminology's order.
pub(super) const ISM_STATES: &[&str] = &["524", "526", "527", "528", "529", "245", "530", "531", "532", "533"];

const RUBRICS: &[(&str, &str)] = &[
    // composition category
    ("431", "persistent"),
    ("433", "event"),
    ("451", "episodic"),
    // setting
    ("225", "home"),
    ("227", "emergency care"),
    ("228", "primary medical care"),
    ("229", "primary nursing care"),
    ("230", "primary allied health care"),
    ("231", "midwifery care"),
    ("232", "secondary medical care"),
    ("233", "secondary nursing care"),
    ("234", "secondary allied health care"),
    ("235", "complementary health care"),
    ("236", "dental care"),
    ("237", "nursing home care"),
    ("238", "other care"),
    // instruction states
    ("524", "initial"),
    ("526", "planned"),
    ("527", "postponed"),
    ("528", "cancelled"),
    ("529", "scheduled"),
    ("245", "active"),
    ("530", "suspended"),
    ("531", "aborted"),
    ("532", "completed"),
    ("533", "expired"),
    // event math function
    ("144", "minimum"),
    ("145", "maximum"),
    ("146", "mean"),
    ("147", "change"),
    ("148", "total"),
    ("149", "variation"),
    ("267", "mode"),
    ("268", "median"),
    ("521", "decrease"),
    ("522", "increase"),
    ("640", "actual"),
    // null flavours
    ("253", "unknown"),
    ("271", "no information"),
    ("272", "masked"),
    ("273", "not applicable"),
];

/// The English rubric of an openEHR code, if the builder knows it.
pub(super) fn rubric(code: &str) -> Option<&'static str> {
    RUBRICS.iter().find(|(c, _)| *c == code).map(|(_, r)| *r)
}
