//! The FLAT example: a walk over the web template that writes `path|suffix` keys, with `:0`
//! on every node that may repeat (`max != 1`), the way EHRbase and Better write FLAT paths.

use super::values::{self, LeafCtx};
use super::{DetailLevel, ExampleKind, ExampleOptions, FlatComposition, FlatValue};
use crate::web_template::{Node, WebTemplate};

/// Deepest node the walk visits; web templates stay far below it.
const MAX_DEPTH: usize = 256;

pub(super) fn build(wt: &WebTemplate, options: &ExampleOptions) -> FlatComposition {
    let language = options.language.clone().unwrap_or_else(|| wt.default_language.clone());
    let mut walk = Walk { options, language: &language, ism_state: None, out: Vec::new() };
    if options.kind == ExampleKind::Input {
        for (key, value) in [
            ("ctx/language", language.as_str()),
            ("ctx/territory", values::TERRITORY),
            ("ctx/composer_name", values::COMPOSER),
            ("ctx/time", values::DATE_TIME),
        ] {
            walk.out.push((key.to_owned(), FlatValue::Text(value.to_owned())));
        }
    }
    let root = &wt.tree;
    if options.kind == ExampleKind::Output {
        walk.out.push((format!("{}/_uid", root.id), FlatValue::Text(values::VERSION_UID.to_owned())));
    }
    walk.node(root, &root.id, 0);
    FlatComposition { entries: walk.out }
}

struct Walk<'a> {
    options: &'a ExampleOptions,
    language: &'a str,
    ism_state: Option<String>,
    out: Vec<(String, FlatValue)>,
}

/// The FLAT path segment of a node at `index`: indexed when the node may repeat.
pub(super) fn segment(node: &Node, index: usize) -> String {
    if node.max == 1 { node.id.clone() } else { format!("{}:{index}", node.id) }
}

/// An ELEMENT whose children are its value's alternative data types.
fn is_choice(node: &Node) -> bool {
    node.rm_type == "ELEMENT" && !node.children.is_empty() && node.children.iter().all(|c| c.rm_type.starts_with("DV_"))
}

/// RM attributes `ctx/...` keys (or the CDR's defaults) supply, left out of input examples.
fn from_context(node: &Node) -> bool {
    node.in_context == Some(true)
        && matches!(
            (node.rm_type.as_str(), node.id.as_str()),
            ("CODE_PHRASE", "language" | "encoding" | "territory")
                | ("PARTY_PROXY", "composer" | "subject")
                | ("DV_DATE_TIME", "start_time" | "time")
        )
}

/// How many instances of a wanted node an example writes: its minimum occurrences (at least one,
/// at most a few dozen, however large the template's minimum claims to be).
fn min_instances(node: &Node) -> usize {
    usize::try_from(node.min).unwrap_or(0).clamp(1, MAX_MIN_INSTANCES)
}

/// Most instances [`min_instances`] writes of one node.
const MAX_MIN_INSTANCES: usize = 32;

/// Nodes no example writes: a reference to another composition's instruction (an example cannot
/// name a real one) and the ISM transition, which the CDR derives from the states.
fn never(node: &Node, parent: &Node) -> bool {
    (parent.rm_type == "ACTION" && matches!(node.id.as_str(), "instruction_id" | "activity_id"))
        || node.rm_type == "LOCATABLE_REF"
        || (parent.rm_type == "ISM_TRANSITION" && node.id == "transition")
}

impl Walk<'_> {
    fn allowed(&self, node: &Node, parent: &Node) -> bool {
        !never(node, parent) && (self.options.kind != ExampleKind::Input || !from_context(node))
    }

    fn wanted(&self, node: &Node, parent: &Node) -> bool {
        self.allowed(node, parent)
            && match self.options.detail {
                DetailLevel::Required => node.min >= 1,
                DetailLevel::Medium => {
                    node.min >= 1
                        || node.node_id.as_deref().is_some_and(|n| !n.is_empty())
                        || (node.id == "careflow_step" && node.inputs.iter().any(|i| !i.list.is_empty()))
                }
                DetailLevel::Complete => true,
            }
    }

    /// Writes `node` at `path`; true when it wrote any key.
    fn node(&mut self, node: &Node, path: &str, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        if node.children.is_empty() {
            return self.leaf(node, path);
        }
        if is_choice(node) {
            return self.choice(node, path, 0, depth);
        }
        if node.rm_type == "ISM_TRANSITION" {
            self.ism_state = careflow_state(node);
        }
        let before = self.out.len();
        let container = mandatory_container(&node.rm_type);
        let mut filled = false;
        for child in &node.children {
            if !self.wanted(child, node) {
                continue;
            }
            let at = self.out.len();
            if self.options.detail == DetailLevel::Complete && is_choice(child) && child.max != 1 {
                let limit = usize::try_from(child.max).unwrap_or(usize::MAX);
                for (index, _) in child.children.iter().enumerate().take(limit) {
                    let p = format!("{path}/{}", segment(child, index));
                    self.choice(child, &p, index, depth + 1);
                }
            } else {
                // A node whose template minimum is above one gets that many instances.
                for index in 0..min_instances(child) {
                    let p = format!("{path}/{}", segment(child, index));
                    self.node(child, &p, depth + 1);
                }
            }
            filled |= self.out.len() > at && container.is_some_and(|c| under(node, child, c));
        }
        // FLAT cannot write an empty structure, so a mandatory one with only optional members
        // (an EVALUATION's `data`, an ACTION's `description`) gets its first member that can hold
        // something; likewise any node that would otherwise write nothing at all.
        if let Some(c) = container
            && !filled
            && !self.first_child(node, path, depth, |child| under(node, child, c))
            && node.min == 0
        {
            // The template leaves nothing to put in it: an optional node is better left out
            // than written invalid.
            self.out.truncate(before);
            return false;
        }
        if self.out.len() == before {
            self.first_child(node, path, depth, |_| true);
        }
        self.out.len() > before
    }

    /// Writes the first child accepted by `filter` that writes anything; true when one did.
    fn first_child(&mut self, node: &Node, path: &str, depth: usize, filter: impl Fn(&Node) -> bool) -> bool {
        for child in &node.children {
            if !self.allowed(child, node) || !filter(child) {
                continue;
            }
            let p = format!("{path}/{}", segment(child, 0));
            if self.node(child, &p, depth + 1) {
                return true;
            }
        }
        false
    }

    /// Writes alternative `which` (or the first) of a choice element.
    fn choice(&mut self, node: &Node, path: &str, which: usize, depth: usize) -> bool {
        let Some(alternative) = node.children.get(which).or_else(|| node.children.first()) else { return false };
        let p = format!("{path}/{}", alternative.id);
        self.node(alternative, &p, depth + 1)
    }

    fn leaf(&mut self, node: &Node, path: &str) -> bool {
        let ctx = LeafCtx {
            language: self.language,
            ism_state: self.ism_state.as_deref(),
            complete: self.options.detail == DetailLevel::Complete,
            output: self.options.kind == ExampleKind::Output,
        };
        let fields = values::leaf(node, &ctx);
        let wrote = !fields.is_empty();
        for (suffix, value) in fields {
            let key = if suffix.is_empty() { path.to_owned() } else { format!("{path}|{suffix}") };
            self.out.push((key, value));
        }
        wrote
    }
}

/// The RM attribute of `rm_type` that must hold a structure (a HISTORY, an ITEM_STRUCTURE).
fn mandatory_container(rm_type: &str) -> Option<&'static str> {
    match rm_type {
        "OBSERVATION" | "EVALUATION" | "ADMIN_ENTRY" | "GENERIC_ENTRY" | "EVENT" | "POINT_EVENT" | "INTERVAL_EVENT" => {
            Some("data")
        }
        "ACTION" | "ACTIVITY" => Some("description"),
        _ => None,
    }
}

/// True when `child` lies under the attribute `attr` of `node`, by its AQL path.
fn under(node: &Node, child: &Node, attr: &str) -> bool {
    let rest = child.aql_path.strip_prefix(node.aql_path.as_str()).unwrap_or("");
    rest.strip_prefix('/').and_then(|r| r.strip_prefix(attr)).is_some_and(|r| r.is_empty() || r.starts_with(['[', '/']))
}

/// The first ISM state of the careflow step an example picks, so state and step agree.
fn careflow_state(ism: &Node) -> Option<String> {
    let step = ism.children.iter().find(|c| c.id == "careflow_step")?;
    let chosen = values::pick(step.inputs.first()?)?;
    chosen.current_states.as_ref()?.first().cloned()
}
