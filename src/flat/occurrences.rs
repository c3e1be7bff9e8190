//! Occurrences: which node instances a composition fills, how many of each, and which mandatory
//! nodes are missing under the instances that are present.

use std::collections::{BTreeMap, HashSet};

use crate::diagnostic::{Code, Diagnostic};
use crate::json::Pos;
use crate::web_template::Node;

/// The indexes of one child under one parent instance, with the first key of each.
pub type Indexes = BTreeMap<u32, (Pos, String)>;

/// The node instances present, by canonical path (`root/obs:0/event:1`), with the first key
/// position that filled each, and per parent instance and child id the indexes used.
#[derive(Default)]
pub struct Occurrences<'w> {
    pub instances: BTreeMap<String, (&'w Node, Pos)>,
    pub children: BTreeMap<String, BTreeMap<String, (&'w Node, Indexes)>>,
}

impl<'w> Occurrences<'w> {
    /// Records that the instance `path` of `node` (child `index` of `parent`) holds a key.
    pub fn add(&mut self, parent: &str, node: &'w Node, index: u32, path: &str, pos: Pos, key: &str) {
        self.instances.entry(path.to_string()).or_insert((node, pos));
        self.children
            .entry(parent.to_string())
            .or_default()
            .entry(node.id.clone())
            .or_insert_with(|| (node, BTreeMap::new()))
            .1
            .entry(index)
            .or_insert_with(|| (pos, key.to_string()));
    }

    /// Reports nodes over their `max`, then mandatory children missing under present instances.
    pub fn check(&self, exempt: &HashSet<String>, out: &mut Vec<Diagnostic>) {
        let by_child = self.children.iter().flat_map(|(p, m)| m.iter().map(move |(id, v)| (p, id, v)));
        for (parent, id, (node, indexes)) in by_child {
            if node.max >= 0
                && indexes.len() as i64 > node.max
                && let Some((_, (pos, key))) = indexes.iter().nth(node.max as usize)
            {
                let msg = format!("{id} occurs {} times under {parent}, at most {} allowed", indexes.len(), node.max);
                out.push(Diagnostic::new(Code::FlatTooMany, msg, pos.line, pos.column, key.clone()));
            }
        }
        for (path, (node, pos)) in &self.instances {
            for c in &node.children {
                if c.min < 1 {
                    continue;
                }
                let n = self.children.get(path.as_str()).and_then(|m| m.get(c.id.as_str())).map_or(0, |(_, i)| i.len());
                if n == 0 && !needs_data(c, 0) {
                    continue;
                }
                if (n as i64) < c.min && !exempt.contains(&format!("{path}/{}", c.id)) {
                    let msg = if n == 0 {
                        format!("mandatory {} ({}) is missing", c.id, c.rm_type)
                    } else {
                        format!("{} occurs {n} times, at least {} required", c.id, c.min)
                    };
                    out.push(Diagnostic::new(
                        Code::FlatMissingMandatory,
                        msg,
                        pos.line,
                        pos.column,
                        format!("{path}/{}", c.id),
                    ));
                }
            }
        }
    }
}

/// Whether a missing node must come from the composition: not when the SDK fills it from the
/// context (`inContext`) or when nothing under it is both mandatory and data-bearing.
pub fn needs_data(node: &Node, depth: usize) -> bool {
    if node.in_context == Some(true) || depth > 64 {
        return false;
    }
    if node.children.is_empty() {
        return !node.inputs.is_empty() || node.rm_type.starts_with("DV_");
    }
    node.children.iter().any(|c| c.min >= 1 && needs_data(c, depth + 1))
}
