//! Canonical RM XML of an example, from its canonical JSON tree: `_type` becomes `xsi:type`,
//! `archetype_node_id` an attribute, lists repeated elements, and members follow the element
//! order of the openEHR XML schema (`Composition.xsd`, `Content.xsd`, `Structure.xsd`,
//! `BaseTypes.xsd`), which XML, unlike JSON, makes significant.

use std::fmt::Write;

use super::{FlatValue, Structured};

const NAMESPACE: &str = "http://schemas.openehr.org/v1";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

const LOCATABLE: &[&str] = &["name", "uid", "links", "archetype_details", "feeder_audit"];
const ENTRY: &[&str] = &["language", "encoding", "subject", "provider", "other_participations", "work_flow_id"];
const CARE_ENTRY: &[&str] = &["protocol", "guideline_id"];

/// The schema's element order of an RM type, base types first, as parts to walk in turn.
fn order(rm_type: &str) -> [&'static [&'static str]; 4] {
    const NONE: &[&str] = &[];
    match rm_type {
        "COMPOSITION" => {
            [LOCATABLE, &["language", "territory", "category", "composer", "context", "content"], NONE, NONE]
        }
        "EVENT_CONTEXT" => [
            &[
                "start_time",
                "end_time",
                "location",
                "setting",
                "other_context",
                "health_care_facility",
                "participations",
            ],
            NONE,
            NONE,
            NONE,
        ],
        "SECTION" | "CLUSTER" | "ITEM_TREE" | "ITEM_LIST" => [LOCATABLE, &["items"], NONE, NONE],
        "ITEM_SINGLE" => [LOCATABLE, &["item"], NONE, NONE],
        "ITEM_TABLE" => [LOCATABLE, &["rows"], NONE, NONE],
        "ELEMENT" => [LOCATABLE, &["value", "null_flavour"], NONE, NONE],
        "OBSERVATION" => [LOCATABLE, ENTRY, CARE_ENTRY, &["data", "state"]],
        "EVALUATION" => [LOCATABLE, ENTRY, CARE_ENTRY, &["data"]],
        "INSTRUCTION" => [LOCATABLE, ENTRY, CARE_ENTRY, &["narrative", "expiry_time", "wf_definition", "activities"]],
        "ACTION" => [LOCATABLE, ENTRY, CARE_ENTRY, &["time", "description", "ism_transition", "instruction_details"]],
        "ADMIN_ENTRY" | "GENERIC_ENTRY" => [LOCATABLE, ENTRY, &["data"], NONE],
        "ACTIVITY" => [LOCATABLE, &["description", "timing", "action_archetype_id"], NONE, NONE],
        "HISTORY" => [LOCATABLE, &["origin", "period", "duration", "events", "summary"], NONE, NONE],
        "EVENT" | "POINT_EVENT" => [LOCATABLE, &["time", "data", "state"], NONE, NONE],
        "INTERVAL_EVENT" => [LOCATABLE, &["time", "data", "state"], &["width", "sample_count", "math_function"], NONE],
        "ISM_TRANSITION" => [&["current_state", "transition", "careflow_step", "reason"], NONE, NONE, NONE],
        "ARCHETYPED" => [&["archetype_id", "template_id", "rm_version"], NONE, NONE, NONE],
        "DV_TEXT" | "DV_CODED_TEXT" => {
            [&["value", "hyperlink", "formatting", "mappings", "language", "encoding"], &["defining_code"], NONE, NONE]
        }
        "DV_STATE" => [&["value", "is_terminal"], NONE, NONE, NONE],
        "CODE_PHRASE" => [&["terminology_id", "code_string", "preferred_term"], NONE, NONE, NONE],
        "DV_QUANTITY" => [&["magnitude", "units", "precision"], NONE, NONE, NONE],
        "DV_ORDINAL" | "DV_SCALE" => [&["value", "symbol"], NONE, NONE, NONE],
        "DV_PROPORTION" => [&["numerator", "denominator", "type", "precision"], NONE, NONE, NONE],
        "DV_IDENTIFIER" => [&["issuer", "assigner", "id", "type"], NONE, NONE, NONE],
        "DV_MULTIMEDIA" => [
            &["charset", "language"],
            &[
                "alternate_text",
                "uri",
                "data",
                "media_type",
                "compression_algorithm",
                "integrity_check",
                "integrity_check_algorithm",
                "size",
                "thumbnail",
            ],
            NONE,
            NONE,
        ],
        "DV_PARSABLE" => [&["charset", "language"], &["value", "formalism"], NONE, NONE],
        "DV_INTERVAL" => [
            &["lower", "upper", "lower_included", "upper_included", "lower_unbounded", "upper_unbounded"],
            NONE,
            NONE,
            NONE,
        ],
        "PARTY_IDENTIFIED" => [&["external_ref"], &["name", "identifiers"], NONE, NONE],
        "PARTY_REF" | "OBJECT_REF" => [&["id", "namespace", "type"], NONE, NONE, NONE],
        _ => [NONE, NONE, NONE, NONE],
    }
}

/// Position of `name` in the schema order of `rm_type`; unknown members go last.
fn rank(rm_type: &str, name: &str) -> usize {
    order(rm_type).iter().flat_map(|part| part.iter()).position(|n| *n == name).unwrap_or(usize::MAX)
}

fn escape(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

fn scalar(out: &mut String, v: &FlatValue) {
    match v {
        FlatValue::Text(s) => escape(out, s),
        FlatValue::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        FlatValue::Decimal(d) => {
            let _ = write!(out, "{d:?}");
        }
        FlatValue::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
    }
}

fn text_member<'a>(members: &'a [(String, Structured)], key: &str) -> Option<&'a str> {
    members.iter().find(|(k, _)| k == key).and_then(|(_, v)| match v {
        Structured::Value(FlatValue::Text(s)) => Some(s.as_str()),
        _ => None,
    })
}

fn indent(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("    ");
    }
}

fn element(out: &mut String, name: &str, value: &Structured, depth: usize, root: bool) {
    match value {
        Structured::Array(items) => {
            for item in items {
                element(out, name, item, depth, false);
            }
        }
        Structured::Value(v) => {
            indent(out, depth);
            let _ = write!(out, "<{name}>");
            scalar(out, v);
            let _ = write!(out, "</{name}>");
        }
        Structured::Object(members) => {
            let rm_type = text_member(members, "_type").unwrap_or("");
            indent(out, depth);
            let _ = write!(out, "<{name}");
            if root {
                let _ = write!(out, " xmlns=\"{NAMESPACE}\" xmlns:xsi=\"{XSI}\"");
            } else if !rm_type.is_empty() {
                let _ = write!(out, " xsi:type=\"{rm_type}\"");
            }
            if let Some(id) = text_member(members, "archetype_node_id") {
                out.push_str(" archetype_node_id=\"");
                escape(out, id);
                out.push('"');
            }
            let mut children: Vec<&(String, Structured)> =
                members.iter().filter(|(k, _)| k != "_type" && k != "archetype_node_id").collect();
            children.sort_by_key(|(k, _)| rank(rm_type, k));
            if children.is_empty() {
                out.push_str("/>");
                return;
            }
            out.push('>');
            for (k, v) in children {
                element(out, k, v, depth + 1, false);
            }
            indent(out, depth);
            let _ = write!(out, "</{name}>");
        }
    }
}

/// The XML document of a canonical composition tree.
pub(super) fn composition(canonical: &Structured) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    element(&mut out, "composition", canonical, 0, true);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_members_by_schema() {
        let tree = Structured::Object(vec![
            ("_type".into(), Structured::Value(FlatValue::Text("COMPOSITION".into()))),
            ("category".into(), Structured::Value(FlatValue::Text("c".into()))),
            ("language".into(), Structured::Value(FlatValue::Text("l & <x>".into()))),
            ("archetype_node_id".into(), Structured::Value(FlatValue::Text("openEHR-EHR-COMPOSITION.x.v1".into()))),
        ]);
        let xml = composition(&tree);
        let language = xml.find("<language>").unwrap_or(usize::MAX);
        let category = xml.find("<category>").unwrap_or(0);
        assert!(language < category, "{xml}");
        assert!(xml.contains("l &amp; &lt;x&gt;"));
        assert!(xml.contains("archetype_node_id=\"openEHR-EHR-COMPOSITION.x.v1\""));
    }
}
