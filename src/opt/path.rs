//! Element paths such as `/template/definition/attributes[2]/children[1]/node_id`, kept as a
//! stack of borrowed names so that building one costs nothing until a diagnostic needs it.

/// Names that repeat by design: their paths always carry an index, so `attributes[1]` and
/// `attributes[2]` read alike. Other elements get an index only when they repeat (`concept[2]`).
const REPEATABLE: &[&str] = &[
    "attributes",
    "children",
    "term_definitions",
    "term_bindings",
    "items",
    "code_list",
    "other_details",
    "details",
    "list",
    "includes",
    "excludes",
    "component_ontologies",
    "annotations",
    "original_author",
    "other_contributors",
    "keywords",
    "constraints",
];

struct Step<'a> {
    name: &'a str,
    index: u32,
    /// Where this element's children's sibling counters start in `PathTracker::counters`.
    counters_start: usize,
}

/// Tracks the current element path of a streaming parse.
#[derive(Default)]
pub(super) struct PathTracker<'a> {
    steps: Vec<Step<'a>>,
    /// Per open element, how many children of each name it has had so far (an arena: each
    /// element's counters follow its parent's, and are dropped when it closes).
    counters: Vec<(&'a str, u32)>,
}

impl<'a> PathTracker<'a> {
    pub(super) fn push(&mut self, name: &'a str) {
        let start = self.steps.last().map_or(0, |s| s.counters_start);
        let index = match self.counters[start..].iter_mut().find(|(n, _)| *n == name) {
            Some((_, count)) => {
                *count += 1;
                *count
            }
            None => {
                self.counters.push((name, 1));
                1
            }
        };
        self.steps.push(Step { name, index, counters_start: self.counters.len() });
    }

    pub(super) fn pop(&mut self) {
        if let Some(step) = self.steps.pop() {
            self.counters.truncate(step.counters_start);
        }
    }

    pub(super) fn depth(&self) -> usize {
        self.steps.len()
    }

    /// The path of the current element.
    pub(super) fn render(&self) -> String {
        self.render_prefix(self.steps.len())
    }

    /// The path of the ancestor `depth` levels from the root (1 = the root element).
    pub(super) fn render_prefix(&self, depth: usize) -> String {
        let mut out = String::new();
        for step in &self.steps[..depth.min(self.steps.len())] {
            out.push('/');
            out.push_str(step.name);
            if step.index > 1 || REPEATABLE.contains(&step.name) {
                out.push('[');
                out.push_str(&step.index.to_string());
                out.push(']');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::PathTracker;

    #[test]
    fn indexes_repeatable_and_repeated_names() {
        let mut p = PathTracker::default();
        p.push("template");
        p.push("concept");
        p.pop();
        p.push("concept");
        assert_eq!(p.render(), "/template/concept[2]");
        p.pop();
        p.push("definition");
        p.push("attributes");
        p.pop();
        p.push("attributes");
        p.push("children");
        assert_eq!(p.render(), "/template/definition/attributes[2]/children[1]");
        assert_eq!(p.render_prefix(2), "/template/definition");
        p.pop();
        p.pop();
        assert_eq!(p.depth(), 2);
    }
}
