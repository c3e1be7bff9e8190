//! Collapsing, as the reference's "medium" compactor does it: structure containers (ITEM_TREE,
//! HISTORY, ...) and lone events give way to their children, an ELEMENT holding one data value
//! becomes that value, empty containers disappear.

use super::build::BNode;
use super::postprocess::other_input;
use super::rm::is_data_value;

const ALWAYS_COMPACTABLE: &[&str] =
    &["ITEM_TREE", "ITEM_LIST", "ITEM_SINGLE", "ITEM_TABLE", "ITEM_STRUCTURE", "HISTORY"];
const SINGLE_COMPACTABLE: &[&str] = &["POINT_EVENT", "INTERVAL_EVENT", "EVENT"];
const SKIP_IF_EMPTY: &[&str] = &[
    "LIST",
    "CLUSTER",
    "ELEMENT",
    "ITEM_TREE",
    "ITEM_LIST",
    "ITEM_SINGLE",
    "ITEM_TABLE",
    "ITEM_STRUCTURE",
    "HISTORY",
    "POINT_EVENT",
    "INTERVAL_EVENT",
    "EVENT",
    "ITEM",
];

pub(super) fn compact(root: &mut BNode) {
    let children = std::mem::take(&mut root.children);
    root.children = flatten(&mut root.cardinalities, children);
    let children = std::mem::take(&mut root.children);
    root.children = children.into_iter().filter_map(|c| compact_node(c, 1)).collect();
    merge_coded_text_with_other(&mut root.children);
}

fn compact_node(mut node: BNode, depth: usize) -> Option<BNode> {
    let children = std::mem::take(&mut node.children);
    node.children = flatten(&mut node.cardinalities, children);
    let children = std::mem::take(&mut node.children);
    node.children = children.into_iter().filter_map(|c| compact_node(c, depth + 1)).collect();
    merge_coded_text_with_other(&mut node.children);
    let skippable = is_data_value(&node.node.rm_type) || node.node.rm_type == "ELEMENT";
    if !node.has_input() && node.children.len() == 1 && depth >= 1 && skippable {
        let mut child = node.children.pop()?;
        if node.node.rm_type == "ELEMENT" && child.node.min == 0 {
            child.node.min = 1;
        }
        copy_values(node, &mut child);
        return Some(child);
    }
    if node.children.is_empty() && SKIP_IF_EMPTY.contains(&node.node.rm_type.as_str()) {
        return None;
    }
    Some(node)
}

fn compactable(child: &BNode, siblings: &[BNode]) -> bool {
    let rm = child.node.rm_type.as_str();
    if ALWAYS_COMPACTABLE.contains(&rm) {
        return true;
    }
    child.node.max == 1
        && SINGLE_COMPACTABLE.contains(&rm)
        && !siblings.iter().any(|s| !std::ptr::eq(s, child) && types_match(child, s))
}

fn types_match(a: &BNode, b: &BNode) -> bool {
    a.node.rm_type == b.node.rm_type || (a.node.rm_type.ends_with("EVENT") && b.node.rm_type.ends_with("EVENT"))
}

/// Replaces compactable children by their own (flattened) children.
fn flatten(cardinalities: &mut Vec<(crate::template::Interval<i64>, String)>, children: Vec<BNode>) -> Vec<BNode> {
    let flags: Vec<bool> = children.iter().map(|c| compactable(c, &children)).collect();
    let mut out = Vec::with_capacity(children.len());
    for (mut child, flag) in children.into_iter().zip(flags) {
        if !flag {
            out.push(child);
            continue;
        }
        if let Some(depends) = child.depends_on.clone() {
            for grandchild in &mut child.children {
                copy_depends_on(&depends, grandchild);
            }
        }
        cardinalities.append(&mut child.cardinalities);
        let grandchildren = std::mem::take(&mut child.children);
        let mut discarded = Vec::new();
        out.extend(flatten(&mut discarded, grandchildren));
    }
    out
}

fn copy_depends_on(depends: &[String], to: &mut BNode) {
    match &mut to.depends_on {
        None => to.depends_on = Some(depends.to_vec()),
        Some(existing) => existing.extend(depends.iter().cloned()),
    }
}

/// DV_TEXT beside DV_CODED_TEXT on the same path: one coded text with an `other` input.
fn merge_coded_text_with_other(children: &mut Vec<BNode>) {
    if children.len() != 2 {
        return;
    }
    let types = (children[0].node.rm_type.as_str(), children[1].node.rm_type.as_str());
    if !matches!(types, ("DV_TEXT", "DV_CODED_TEXT") | ("DV_CODED_TEXT", "DV_TEXT")) {
        return;
    }
    let (p0, p1) = (&children[0].node.aql_path, &children[1].node.aql_path);
    let common = p0.bytes().zip(p1.bytes()).take_while(|(a, b)| a == b).count();
    let difference = if p0 == p1 { "" } else { p1.get(common..).unwrap_or_default() };
    let keep = if difference == "/defining_code" {
        1
    } else if difference.is_empty() {
        0
    } else {
        return;
    };
    let node = &mut children[keep].node;
    node.inputs.push(other_input());
    if let Some(first) = node.inputs.first_mut() {
        first.list_open = Some(true);
    }
    children.remove(1 - keep);
}

/// What a collapsed node passes to the child that replaces it.
fn copy_values(from: BNode, to: &mut BNode) {
    let f = from.node;
    let t = &mut to.node;
    t.name = f.name;
    t.localized_name = f.localized_name;
    t.localized_names = f.localized_names;
    t.localized_descriptions.extend(f.localized_descriptions);
    t.node_id = f.node_id;
    if !is_data_value(&t.rm_type) {
        t.rm_type = f.rm_type;
    }
    if t.min > f.min || (is_data_value(&t.rm_type) && t.min == 1) {
        t.min = f.min;
    }
    if f.max == -1 || (t.max != -1 && t.max < f.max) {
        t.max = f.max;
    }
    if let Some(depends) = from.depends_on {
        copy_depends_on(&depends, to);
    }
    let t = &mut to.node;
    if !f.inputs.is_empty() && t.inputs.is_empty() {
        t.inputs = f.inputs;
    }
    t.annotations.extend(f.annotations);
    t.term_bindings.extend(f.term_bindings);
    to.cardinalities.extend(from.cardinalities);
}
