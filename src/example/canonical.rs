//! The canonical RM JSON (`_type`) of an example, built from its FLAT form and the web template.
//!
//! Each FLAT segment names a web template node; the part of the node's `aqlPath` below its
//! parent's gives the RM attributes on the way (`/data[at0001]/events[at0002]`), so the objects the
//! web template folds away (HISTORY, ITEM_TREE, the ELEMENT around a value) come back. Their
//! types follow the RM (`OBSERVATION.data` is a HISTORY) and their names are generic, as the web
//! template does not keep them. Mandatory RM attributes FLAT leaves implicit are added:
//! `archetype_details` on archetype roots, `HISTORY.origin`, and `subject` (PARTY_SELF).

use super::values::DATE_TIME;
use super::{FlatComposition, FlatValue, Structured};
use crate::web_template::{Node, WebTemplate};

/// The RM release the examples claim in `archetype_details`.
const RM_VERSION: &str = "1.0.4";

/// An RM object while building: its type, LOCATABLE identity, and attributes in first-write order.
#[derive(Default)]
struct Obj {
    rm_type: String,
    node_id: Option<String>,
    name: Option<String>,
    attributes: Vec<(String, Attr)>,
}

/// An attribute: a written value, or child objects keyed by predicate and FLAT index.
#[derive(Default)]
struct Attr {
    value: Option<Structured>,
    objects: Vec<(String, Obj)>,
}

/// RM attributes that hold lists.
fn is_multiple(attr: &str) -> bool {
    matches!(attr, "content" | "items" | "events" | "activities" | "other_participations" | "links")
}

fn text(s: &str) -> Structured {
    Structured::Value(FlatValue::Text(s.to_owned()))
}

fn object(rm_type: &str, members: Vec<(&str, Structured)>) -> Structured {
    let mut all = vec![("_type".to_owned(), text(rm_type))];
    all.extend(members.into_iter().map(|(k, v)| (k.to_owned(), v)));
    Structured::Object(all)
}

fn code_phrase(terminology: &str, code: &str) -> Structured {
    object(
        "CODE_PHRASE",
        vec![
            ("terminology_id", object("TERMINOLOGY_ID", vec![("value", text(terminology))])),
            ("code_string", text(code)),
        ],
    )
}

impl Obj {
    fn new(rm_type: &str) -> Obj {
        Obj { rm_type: rm_type.to_owned(), ..Obj::default() }
    }

    fn attribute(&mut self, attr: &str) -> &mut Attr {
        let at = match self.attributes.iter().position(|(k, _)| k == attr) {
            Some(at) => at,
            None => {
                self.attributes.push((attr.to_owned(), Attr::default()));
                self.attributes.len() - 1
            }
        };
        &mut self.attributes[at].1
    }

    /// The child object of `attr` under `key`, made with `make` when new. A single attribute keeps
    /// one object, whatever its key.
    fn child(&mut self, attr: &str, key: &str, make: impl FnOnce() -> Obj) -> &mut Obj {
        let multiple = is_multiple(attr);
        let a = self.attribute(attr);
        a.value = None;
        let found =
            if multiple { a.objects.iter().position(|(k, _)| k == key) } else { (!a.objects.is_empty()).then_some(0) };
        let i = match found {
            Some(i) => i,
            None => {
                a.objects.push((key.to_owned(), make()));
                a.objects.len() - 1
            }
        };
        &mut a.objects[i].1
    }

    fn set(&mut self, attr: &str, value: Structured) {
        let a = self.attribute(attr);
        a.objects.clear();
        a.value = Some(value);
    }

    fn get(&self, attr: &str) -> Option<&Structured> {
        self.attributes.iter().find(|(k, _)| k == attr).and_then(|(_, a)| a.value.as_ref())
    }

    fn has(&self, attr: &str) -> bool {
        self.attributes.iter().any(|(k, _)| k == attr)
    }

    fn into_json(self) -> Structured {
        // Canonical `_type`s carry no generic parameters: `DV_INTERVAL<DV_COUNT>` is `DV_INTERVAL`.
        let rm_type = self.rm_type.split('<').next().unwrap_or(&self.rm_type);
        let mut members = vec![("_type".to_owned(), text(rm_type))];
        if let Some(name) = &self.name {
            members.push(("name".to_owned(), object("DV_TEXT", vec![("value", text(name))])));
        }
        if let Some(id) = &self.node_id {
            members.push(("archetype_node_id".to_owned(), text(id)));
        }
        for (k, a) in self.attributes {
            let multiple = is_multiple(&k);
            let v = match a.value {
                Some(v) => v,
                None if multiple => Structured::Array(a.objects.into_iter().map(|(_, o)| o.into_json()).collect()),
                None => match a.objects.into_iter().next() {
                    Some((_, o)) => o.into_json(),
                    None => continue,
                },
            };
            members.push((k, v));
        }
        Structured::Object(members)
    }
}

/// The segments of an AQL path part: `(attribute, predicate)`, splitting on `/` outside `[...]`.
fn aql_segments(path: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut current = String::new();
    for ch in path.chars() {
        match ch {
            '\'' if depth > 0 => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            '/' if depth == 0 && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out.into_iter()
        .map(|s| match s.split_once('[') {
            Some((attr, rest)) => (attr.to_owned(), rest.trim_end_matches(']').to_owned()),
            None => (s, String::new()),
        })
        .collect()
}

/// The archetype node id of a predicate (`at0001`, `openEHR-EHR-...`), without its name part.
fn predicate_id(predicate: &str) -> Option<String> {
    let id = predicate.split(',').next().unwrap_or("").trim();
    (!id.is_empty()).then(|| id.to_owned())
}

/// The RM type of an object the web template folded away, by its attribute and parent.
fn folded_type(parent: &str, attr: &str, next: Option<&str>) -> &'static str {
    match (parent, attr) {
        ("OBSERVATION", "data") => "HISTORY",
        _ if next == Some("item") => "ITEM_SINGLE",
        _ if next == Some("rows") => "ITEM_TABLE",
        (_, "events") => "EVENT",
        ("COMPOSITION", "context") => "EVENT_CONTEXT",
        (_, "activities") => "ACTIVITY",
        (_, "ism_transition") => "ISM_TRANSITION",
        (_, "instruction_details") => "INSTRUCTION_DETAILS",
        (_, "items" | "item") if next == Some("value") => "ELEMENT",
        (_, "items") => "CLUSTER",
        _ => "ITEM_TREE",
    }
}

fn folded_name(rm_type: &str) -> &'static str {
    match rm_type {
        "HISTORY" => "History",
        "EVENT" => "Any event",
        "ITEM_TREE" => "Tree",
        "ACTIVITY" => "Activity",
        _ => "Item",
    }
}

/// LOCATABLE types carry a name and an archetype node id; data values, parties and the few
/// PATHABLE helpers do not.
fn is_locatable(rm_type: &str) -> bool {
    !(rm_type.starts_with("DV_")
        || rm_type.starts_with("PARTY_")
        || matches!(
            rm_type,
            "CODE_PHRASE" | "EVENT_CONTEXT" | "ISM_TRANSITION" | "INSTRUCTION_DETAILS" | "LOCATABLE_REF" | "STRING"
        ))
}

fn is_entry(rm_type: &str) -> bool {
    matches!(rm_type, "OBSERVATION" | "EVALUATION" | "INSTRUCTION" | "ACTION" | "ADMIN_ENTRY" | "GENERIC_ENTRY")
}

fn localized(node: &Node, language: &str) -> String {
    node.localized_names
        .get(language)
        .filter(|n| !n.is_empty())
        .or(node.localized_name.as_ref())
        .or(node.name.as_ref())
        .cloned()
        .unwrap_or_else(|| node.id.clone())
}

/// The canonical RM JSON of a FLAT composition of `wt` (keys outside the template are skipped).
pub(super) fn build(wt: &WebTemplate, flat: &FlatComposition, language: &str) -> Structured {
    let root_node = &wt.tree;
    let mut root = Obj::new(&root_node.rm_type);
    root.node_id = root_node.node_id.clone();
    root.name = Some(localized(root_node, language));
    // Consecutive fields of one leaf (`|code`, `|value`, ...) share one walk down the tree.
    let mut groups: Vec<(&str, Vec<(&str, &FlatValue)>)> = Vec::new();
    for (key, value) in &flat.entries {
        let (path, suffix) = key.split_once('|').unwrap_or((key.as_str(), ""));
        match groups.last_mut() {
            Some((last, fields)) if *last == path => fields.push((suffix, value)),
            _ => groups.push((path, vec![(suffix, value)])),
        }
    }
    for (path, fields) in groups {
        let Some(&(_, value)) = fields.first() else { continue };
        let mut segments = path.split('/');
        if segments.next() != Some(root_node.id.as_str()) {
            continue;
        }
        if segments.clone().next() == Some("_uid") {
            root.set("uid", object("OBJECT_VERSION_ID", vec![("value", Structured::Value(value.clone()))]));
            continue;
        }
        let mut node = root_node;
        let mut obj = &mut root;
        let mut ok = true;
        let mut scalar: Option<String> = None;
        let segments: Vec<&str> = segments.collect();
        for (n, segment) in segments.iter().enumerate() {
            let (id, index) = match segment.rsplit_once(':') {
                Some((id, i)) if i.bytes().all(|b| b.is_ascii_digit()) && !i.is_empty() => (id, i),
                _ => (*segment, "0"),
            };
            let Some(child) = node.children.iter().find(|c| c.id == id) else {
                ok = false;
                break;
            };
            let choice = node.rm_type == "ELEMENT";
            let part =
                if choice { "/value" } else { child.aql_path.strip_prefix(node.aql_path.as_str()).unwrap_or("") };
            let steps = aql_segments(part);
            if steps.is_empty() {
                ok = false;
                break;
            }
            // The FLAT index counts the deepest archetyped step (the ELEMENT around a value).
            let indexed = steps.iter().rposition(|(_, p)| !p.is_empty()).unwrap_or(steps.len() - 1);
            let last = steps.len() - 1;
            if child.rm_type == "STRING" && n + 1 == segments.len() && steps.len() == 1 {
                scalar = Some(steps[0].0.clone());
                break;
            }
            for (i, (attr, predicate)) in steps.iter().enumerate() {
                let key = format!("{predicate}:{}", if i == indexed { index } else { "0" });
                let next = steps.get(i + 1).map(|(a, _)| a.as_str());
                let parent_type = obj.rm_type.clone();
                let make = || {
                    if i == last {
                        let mut o = Obj::new(&child.rm_type);
                        if is_locatable(&child.rm_type) {
                            o.node_id =
                                child.node_id.clone().filter(|n| !n.is_empty()).or_else(|| predicate_id(predicate));
                            o.name = Some(localized(child, language));
                        }
                        o
                    } else {
                        let rm = folded_type(&parent_type, attr, next);
                        let mut o = Obj::new(rm);
                        if !is_locatable(rm) {
                            return o;
                        }
                        o.node_id = predicate_id(predicate).or_else(|| Some("at0000".to_owned()));
                        o.name =
                            Some(if rm == "ELEMENT" { localized(child, language) } else { folded_name(rm).to_owned() });
                        if rm == "ELEMENT" {
                            o.node_id = child.node_id.clone().filter(|n| !n.is_empty()).or(o.node_id);
                        }
                        o
                    }
                };
                obj = obj.child(attr, &key, make);
            }
            node = child;
        }
        if !ok {
            continue;
        }
        match scalar {
            Some(attr) => obj.set(&attr, Structured::Value(value.clone())),
            None => {
                for (suffix, value) in fields {
                    leaf(obj, suffix, value);
                }
            }
        }
    }
    complete(&mut root, &wt.template_id, true);
    root.into_json()
}

/// Writes one FLAT field into the RM data value or party it belongs to.
fn leaf(obj: &mut Obj, suffix: &str, value: &FlatValue) {
    // A DV_STATE holds its coded text as `value`.
    if obj.rm_type == "DV_STATE" {
        leaf(obj.child("value", "", || Obj::new("DV_CODED_TEXT")), suffix, value);
        return;
    }
    let v = || Structured::Value(value.clone());
    let s = value.as_str().unwrap_or("").to_owned();
    match (obj.rm_type.as_str(), suffix) {
        ("DV_CODED_TEXT", "value") => obj.set("value", v()),
        ("DV_CODED_TEXT", "code") => {
            let terminology = defining_terminology(obj);
            obj.set("defining_code", code_phrase(&terminology, &s));
        }
        ("DV_CODED_TEXT", "terminology") => {
            let code = defining_code(obj);
            obj.set("defining_code", code_phrase(&s, &code));
        }
        ("CODE_PHRASE", "code") => obj.set("code_string", v()),
        ("CODE_PHRASE", "terminology") => obj.set("terminology_id", object("TERMINOLOGY_ID", vec![("value", v())])),
        ("DV_QUANTITY", "magnitude") => obj.set("magnitude", v()),
        ("DV_QUANTITY", "unit") => obj.set("units", v()),
        ("DV_COUNT", "") => obj.set("magnitude", v()),
        ("DV_ORDINAL" | "DV_SCALE", "ordinal") => obj.set("value", v()),
        ("DV_ORDINAL" | "DV_SCALE", "code") => {
            let symbol = obj.child("symbol", "", || Obj::new("DV_CODED_TEXT"));
            symbol.set("defining_code", code_phrase("local", &s));
        }
        ("DV_ORDINAL" | "DV_SCALE", "value") => {
            obj.child("symbol", "", || Obj::new("DV_CODED_TEXT")).set("value", v());
        }
        ("DV_PROPORTION", "numerator" | "denominator" | "type") => obj.set(suffix, v()),
        ("DV_PROPORTION", _) => {}
        ("DV_IDENTIFIER", "id" | "issuer" | "assigner" | "type") => obj.set(suffix, v()),
        ("DV_MULTIMEDIA", "") => obj.set("uri", object("DV_URI", vec![("value", v())])),
        ("DV_MULTIMEDIA", "mediatype") => obj.set("media_type", code_phrase("IANA_media-types", &s)),
        ("DV_MULTIMEDIA", "size") => obj.set("size", v()),
        ("DV_PARSABLE", "") => obj.set("value", v()),
        ("DV_PARSABLE", "formalism") => obj.set("formalism", v()),
        ("PARTY_PROXY" | "PARTY_IDENTIFIED", "name") => {
            obj.rm_type = "PARTY_IDENTIFIED".to_owned();
            obj.set("name", v());
        }
        ("PARTY_PROXY" | "PARTY_IDENTIFIED", "id") => {
            obj.rm_type = "PARTY_IDENTIFIED".to_owned();
            let reference = object(
                "PARTY_REF",
                vec![
                    ("id", object("GENERIC_ID", vec![("value", v()), ("scheme", text("HOSPITAL-NS"))])),
                    ("namespace", text("HOSPITAL-NS")),
                    ("type", text("PERSON")),
                ],
            );
            obj.set("external_ref", reference);
        }
        ("PARTY_PROXY" | "PARTY_IDENTIFIED", _) => {}
        (_, "") => obj.set("value", v()),
        _ => {}
    }
}

fn member<'a>(s: &'a Structured, path: &[&str]) -> Option<&'a str> {
    let mut at = s;
    for p in path {
        at = at.get(p)?;
    }
    match at {
        Structured::Value(FlatValue::Text(t)) => Some(t),
        _ => None,
    }
}

fn defining_code(obj: &Obj) -> String {
    obj.get("defining_code").and_then(|c| member(c, &["code_string"])).unwrap_or("").to_owned()
}

fn defining_terminology(obj: &Obj) -> String {
    obj.get("defining_code").and_then(|c| member(c, &["terminology_id", "value"])).unwrap_or("local").to_owned()
}

/// Adds the mandatory RM attributes FLAT leaves implicit.
fn complete(obj: &mut Obj, template_id: &str, is_root: bool) {
    if let Some(id) = obj.node_id.clone().filter(|id| id.starts_with("openEHR-")) {
        let mut details = vec![("archetype_id", object("ARCHETYPE_ID", vec![("value", text(&id))]))];
        if is_root {
            details.push(("template_id", object("TEMPLATE_ID", vec![("value", text(template_id))])));
        }
        details.push(("rm_version", text(RM_VERSION)));
        let archetype_details = object("ARCHETYPED", details);
        let attr = Attr { value: Some(archetype_details), objects: Vec::new() };
        obj.attributes.insert(0, ("archetype_details".to_owned(), attr));
    }
    if is_entry(&obj.rm_type) && !obj.has("subject") {
        obj.set("subject", object("PARTY_SELF", Vec::new()));
    }
    if obj.rm_type.starts_with("DV_INTERVAL") {
        for (attr, value) in
            [("lower_unbounded", false), ("upper_unbounded", false), ("lower_included", true), ("upper_included", true)]
        {
            if !obj.has(attr) {
                obj.set(attr, Structured::Value(FlatValue::Boolean(value)));
            }
        }
    }
    if obj.rm_type == "DV_STATE" && !obj.has("is_terminal") {
        obj.set("is_terminal", Structured::Value(FlatValue::Boolean(false)));
    }
    if obj.rm_type == "HISTORY" && !obj.has("origin") {
        obj.set("origin", object("DV_DATE_TIME", vec![("value", text(DATE_TIME))]));
    }
    for (_, attr) in &mut obj.attributes {
        for (_, o) in &mut attr.objects {
            complete(o, template_id, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_aql_outside_predicates() {
        let s = aql_segments("/data[at0001]/items[at0004,'a/b']/value");
        assert_eq!(s.len(), 3);
        assert_eq!(s[1], ("items".to_owned(), "at0004,'a/b'".to_owned()));
        assert_eq!(s[2], ("value".to_owned(), String::new()));
    }
}
