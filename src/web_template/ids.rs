//! Node ids: the name made lowercase with `_` for other characters, numbered among siblings
//! (`any_event`, `any_event2`); choices get typed ids (`coded_text_value`); `dependsOn` and
//! cardinalities are resolved to sibling ids here.

use std::collections::HashSet;

use super::Cardinality;
use super::build::BNode;

pub(super) fn assign(root: &mut BNode) {
    let id = unique(&mut HashSet::new(), base_id(root, None));
    root.node.id = id;
    children(root);
}

fn children(node: &mut BNode) {
    let is_choice = node.node.rm_type == "ELEMENT" && node.children.len() > 1;
    let parent_rm = node.node.rm_type.clone();
    let mut taken = HashSet::new();
    for child in &mut node.children {
        if is_choice {
            if child.attr == "value" && child.node.rm_type.starts_with("DV_") {
                child.json_id = Some(typed_id(&child.node.rm_type));
            } else {
                child.json_id = Some(child.attr.clone());
            }
        }
        let base = base_id(child, Some(&parent_rm));
        child.node.id = unique(&mut taken, base);
        children(child);
    }
    resolve_depends_on(&mut node.children);
    let cardinalities = std::mem::take(&mut node.cardinalities);
    for (interval, path) in cardinalities {
        let ids: Vec<String> =
            node.children.iter().filter(|c| c.node.aql_path.starts_with(&path)).map(|c| c.node.id.clone()).collect();
        if !ids.is_empty() {
            node.node.cardinalities.push(Cardinality {
                min: interval.lower.unwrap_or(0),
                max: interval.upper.unwrap_or(-1),
                ids,
            });
        }
    }
}

fn resolve_depends_on(children: &mut [BNode]) {
    let siblings: Vec<(String, String, bool)> = children
        .iter()
        .map(|c| (c.node.aql_path.clone(), c.node.id.clone(), c.node.in_context == Some(true)))
        .collect();
    for child in children.iter_mut() {
        let Some(prefixes) = child.depends_on.take() else { continue };
        let mut ids: Vec<String> = Vec::new();
        for prefix in &prefixes {
            for (path, id, in_context) in &siblings {
                if !in_context && path.starts_with(prefix.as_str()) && !ids.contains(id) {
                    ids.push(id.clone());
                }
            }
        }
        child.node.depends_on = if ids.is_empty() { None } else { Some(ids) };
    }
}

fn typed_id(rm_type: &str) -> String {
    if let Some(inner) = rm_type.strip_prefix("DV_INTERVAL<DV_").and_then(|r| r.strip_suffix('>')) {
        return format!("interval_of_{}_value", inner.to_lowercase());
    }
    format!("{}_value", rm_type.get(3..).unwrap_or_default().to_lowercase())
}

fn base_id(node: &BNode, parent_rm: Option<&str>) -> String {
    let raw = if let Some(json) = &node.json_id {
        json.clone()
    } else {
        match node.node.name.as_deref().filter(|n| !n.trim().is_empty()) {
            Some(name) => name.to_owned(),
            None => {
                if parent_rm == Some("ELEMENT") && !node.node.rm_type.starts_with("DV_INTERVAL") {
                    "value".to_owned()
                } else {
                    let path = &node.node.aql_path;
                    path.rsplit('/').next().unwrap_or(path).to_owned()
                }
            }
        }
    };
    let id = sanitize(&raw);
    if id.is_empty() {
        "id".to_owned()
    } else if id.starts_with(|c: char| c.is_ascii_digit()) {
        format!("a{id}")
    } else {
        id
    }
}

/// Lowercase, `_` for anything but letters, digits, `_`, `.`, `-`; no runs of `_`, none at the ends.
pub(super) fn sanitize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for ch in name.chars() {
        let ch = if ch.is_alphabetic() || ch.is_ascii_digit() || matches!(ch, '_' | '.' | '-') { ch } else { '_' };
        for lower in ch.to_lowercase() {
            if lower == '_' && out.ends_with('_') {
                continue;
            }
            out.push(lower);
        }
    }
    let out = out.strip_prefix('_').unwrap_or(&out);
    out.strip_suffix('_').unwrap_or(out).to_owned()
}

fn unique(taken: &mut HashSet<String>, base: String) -> String {
    if taken.insert(base.clone()) {
        return base;
    }
    let mut i = 2;
    while taken.contains(&format!("{base}{i}")) && i < 100 {
        i += 1;
    }
    let id = format!("{base}{i}");
    taken.insert(id.clone());
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_lowercase_with_single_underscores_and_numbered_among_siblings() {
        assert_eq!(sanitize("Blood Pressure (BP) / 24h"), "blood_pressure_bp_24h");
        assert_eq!(sanitize("Körper-Temperatur.v2"), "körper-temperatur.v2");
        assert_eq!(sanitize("  Any event  "), "any_event");
        let mut taken = HashSet::new();
        assert_eq!(unique(&mut taken, "any_event".to_owned()), "any_event");
        assert_eq!(unique(&mut taken, "any_event".to_owned()), "any_event2");
        assert_eq!(unique(&mut taken, "any_event".to_owned()), "any_event3");
    }

    #[test]
    fn choice_ids_name_the_data_value_type() {
        assert_eq!(typed_id("DV_CODED_TEXT"), "coded_text_value");
        assert_eq!(typed_id("DV_INTERVAL<DV_QUANTITY>"), "interval_of_quantity_value");
    }
}
