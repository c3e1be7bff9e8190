//! FLAT to STRUCTURED: each path segment becomes an object member holding an array (indexed by
//! the segment's `:n`), `|suffix` keys become `"|suffix"` members of the leaf's object, and a leaf
//! with only a bare value becomes that value. The top-level segments (the template id, `ctx`)
//! hold a single object, as EHRbase writes them. A bare value next to suffixes is kept under `""`.

use super::{FlatComposition, FlatValue, Structured};

/// Most path segments a key may have.
const MAX_SEGMENTS: usize = 512;

/// One occurrence of a node while nesting.
#[derive(Default)]
struct Slot {
    children: Vec<(String, Vec<Slot>)>,
    value: Option<FlatValue>,
    attributes: Vec<(String, FlatValue)>,
}

/// `id` and index of one path segment (`id:2`; no index means 0).
fn split_index(segment: &str) -> (&str, usize) {
    match segment.rsplit_once(':') {
        Some((id, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => (id, n.parse().unwrap_or(0)),
        _ => (segment, 0),
    }
}

impl Slot {
    fn child(&mut self, id: &str, index: usize) -> &mut Slot {
        let at = match self.children.iter().position(|(k, _)| k == id) {
            Some(at) => at,
            None => {
                self.children.push((id.to_owned(), Vec::new()));
                self.children.len() - 1
            }
        };
        let list = &mut self.children[at].1;
        // Indexes are capped so a malformed key cannot allocate without bound.
        let index = index.min(list.len().saturating_add(1024));
        while list.len() <= index {
            list.push(Slot::default());
        }
        &mut list[index]
    }

    fn into_structured(self) -> Structured {
        if self.children.is_empty() && self.attributes.is_empty() {
            return Structured::Value(self.value.unwrap_or(FlatValue::Text(String::new())));
        }
        let mut members: Vec<(String, Structured)> = self
            .children
            .into_iter()
            .map(|(k, list)| (k, Structured::Array(list.into_iter().map(Slot::into_structured).collect())))
            .collect();
        if let Some(v) = self.value {
            members.push((String::new(), Structured::Value(v)));
        }
        members.extend(self.attributes.into_iter().map(|(k, v)| (format!("|{k}"), Structured::Value(v))));
        Structured::Object(members)
    }
}

/// The STRUCTURED form of a FLAT composition.
pub fn to_structured(flat: &FlatComposition) -> Structured {
    let mut root = Slot::default();
    for (key, value) in &flat.entries {
        let (path, suffix) = match key.split_once('|') {
            Some((p, s)) => (p, Some(s)),
            None => (key.as_str(), None),
        };
        // Deeper keys than any web template has are skipped, so nesting (and the recursive
        // writers after it) stays bounded whatever FLAT a caller passes.
        if path.split('/').nth(MAX_SEGMENTS).is_some() {
            continue;
        }
        let mut slot = &mut root;
        for segment in path.split('/') {
            let (id, index) = split_index(segment);
            slot = slot.child(id, index);
        }
        match suffix {
            Some(s) => slot.attributes.push((s.to_owned(), value.clone())),
            None => slot.value = Some(value.clone()),
        }
    }
    // The top-level members are single objects, not arrays.
    let members = root
        .children
        .into_iter()
        .map(|(k, list)| {
            let mut items = list.into_iter().map(Slot::into_structured);
            let first = items.next().unwrap_or(Structured::Object(Vec::new()));
            (k, first)
        })
        .collect();
    Structured::Object(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nests_paths() {
        let flat = FlatComposition {
            entries: vec![
                ("t/a:0/b|code".into(), FlatValue::Text("x".into())),
                ("t/a:0/b|value".into(), FlatValue::Text("y".into())),
                ("t/a:1/c".into(), FlatValue::Integer(3)),
            ],
        };
        let s = to_structured(&flat);
        let a = s.get("t").and_then(|t| t.get("a"));
        let Some(Structured::Array(items)) = a else { panic!("{s:?}") };
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].get("c"), Some(&Structured::Array(vec![Structured::Value(FlatValue::Integer(3))])));
        let b = items[0].get("b");
        let Some(Structured::Array(b)) = b else { panic!() };
        assert_eq!(b[0].get("|code"), Some(&Structured::Value(FlatValue::Text("x".into()))));
    }
}
