//! Template paths (annotations, view constraints, default values) matched to nodes. Exporters write
//! them with or without the root's `[archetype_id]` and with name predicates on some steps only,
//! as `[code and name/value='x']`, `[code, 'x']` or `[code,'x']`: steps match on attribute and code,
//! and on the name where both sides give one.

use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
struct Step {
    attr: String,
    code: String,
    name: Option<String>,
}

/// The steps of a path, without a leading `[archetype_id]`.
fn steps(path: &str) -> Vec<Step> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut start = 0;
    let bytes = path.as_bytes();
    let mut pieces = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\'' => quoted = !quoted,
            b'[' if !quoted => depth += 1,
            b']' if !quoted => depth = depth.saturating_sub(1),
            b'/' if !quoted && depth == 0 => {
                pieces.push(&path[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    pieces.push(&path[start..]);
    for piece in pieces {
        if piece.is_empty() || piece.starts_with('[') {
            continue;
        }
        let (attr, predicate) = match piece.find('[') {
            Some(at) => (&piece[..at], piece[at + 1..].strip_suffix(']').unwrap_or(&piece[at + 1..])),
            None => (piece, ""),
        };
        let (code, name) = if let Some(at) = predicate.find(" and name/value=") {
            (&predicate[..at], Some(&predicate[at + " and name/value=".len()..]))
        } else if let Some(at) = predicate.find(',') {
            (&predicate[..at], Some(&predicate[at + 1..]))
        } else {
            (predicate, None)
        };
        let name = name.map(|n| n.trim().trim_matches('\'').to_owned());
        out.push(Step { attr: attr.trim().to_owned(), code: code.trim().to_owned(), name });
    }
    out
}

fn key(steps: &[Step]) -> String {
    let mut k = String::new();
    for s in steps {
        k.push('/');
        k.push_str(&s.attr);
        k.push('[');
        k.push_str(&s.code);
        k.push(']');
    }
    k
}

/// Items keyed by template path, looked up by a node's AQL path.
pub(super) struct PathIndex<T> {
    map: HashMap<String, Vec<(Vec<Step>, T)>>,
}

impl<T> PathIndex<T> {
    pub(super) fn new(items: impl IntoIterator<Item = (String, T)>) -> Self {
        let mut map: HashMap<String, Vec<(Vec<Step>, T)>> = HashMap::new();
        for (path, item) in items {
            let s = steps(&path);
            map.entry(key(&s)).or_default().push((s, item));
        }
        PathIndex { map }
    }

    /// Items whose path names the node at `aql_path`.
    pub(super) fn find<'s>(&'s self, aql_path: &str) -> impl Iterator<Item = &'s T> + 's {
        let (node, candidates) = if self.map.is_empty() {
            (Vec::new(), None)
        } else {
            let node = steps(aql_path);
            let candidates = self.map.get(&key(&node));
            (node, candidates)
        };
        candidates.into_iter().flatten().filter_map(move |(s, item)| {
            let names_agree = s.iter().zip(&node).all(|(a, b)| match (&a.name, &b.name) {
                (Some(x), Some(y)) => x == y,
                _ => true,
            });
            names_agree.then_some(item)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_written_form_of_a_path_finds_the_node() {
        let index = PathIndex::new([
            (
                "[openEHR-EHR-COMPOSITION.x.v1]/content[openEHR-EHR-SECTION.adhoc.v1 and name/value='A/B']/items[at1]"
                    .to_owned(),
                1,
            ),
            ("/content[openEHR-EHR-SECTION.adhoc.v1, 'A/B']/items[at2]".to_owned(), 2),
            ("/content[openEHR-EHR-SECTION.adhoc.v1]/items[at3]".to_owned(), 3),
        ]);
        let found = |p: &str| index.find(p).copied().collect::<Vec<_>>();
        assert_eq!(found("/content[openEHR-EHR-SECTION.adhoc.v1,'A/B']/items[at1]"), vec![1]);
        assert_eq!(found("/content[openEHR-EHR-SECTION.adhoc.v1,'A/B']/items[at2,'x']"), vec![2]);
        assert_eq!(found("/content[openEHR-EHR-SECTION.adhoc.v1,'Other']/items[at1]"), Vec::<i32>::new());
        assert_eq!(found("/content[openEHR-EHR-SECTION.adhoc.v1,'Other']/items[at3]"), vec![3]);
    }
}
