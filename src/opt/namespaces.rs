//! In-scope XML namespace declarations. Real OPTs declare their namespaces on the root element
//! and nowhere else, so a short list scanned from the end beats a general resolver on every
//! element; only elements that carry `xmlns` attributes touch it.

/// What a prefix resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Resolved<'n> {
    /// Bound to this namespace URI.
    Bound(&'n str),
    /// No prefix and no default namespace.
    Unbound,
    /// A prefix that no declaration in scope binds.
    Unknown,
}

struct Binding {
    /// Depth of the element that declared it (1 = root).
    depth: usize,
    prefix: String,
    uri: String,
}

#[derive(Default)]
pub(super) struct Namespaces {
    bindings: Vec<Binding>,
    /// Index of the innermost default-namespace binding: unprefixed element names, nearly every
    /// element of an OPT, resolve without a scan.
    default: Option<usize>,
}

impl Namespaces {
    /// Records an `xmlns` (`prefix` = "") or `xmlns:prefix` attribute of the element at `depth`.
    pub(super) fn declare(&mut self, depth: usize, prefix: &str, uri: &str) {
        if prefix.is_empty() {
            self.default = Some(self.bindings.len());
        }
        self.bindings.push(Binding { depth, prefix: prefix.to_owned(), uri: uri.to_owned() });
    }

    /// Forgets the declarations of the element at `depth`, which is closing.
    pub(super) fn leave(&mut self, depth: usize) {
        let before = self.bindings.len();
        while self.bindings.last().is_some_and(|b| b.depth >= depth) {
            self.bindings.pop();
        }
        if self.bindings.len() != before {
            self.default = self.bindings.iter().rposition(|b| b.prefix.is_empty());
        }
    }

    /// Resolves a qualified name to its namespace and local part. Unprefixed attribute names
    /// are in no namespace (`use_default` = false); unprefixed element names take the default.
    pub(super) fn resolve<'q>(&self, qname: &'q str, use_default: bool) -> (Resolved<'_>, &'q str) {
        let (prefix, local) = match memchr::memchr(b':', qname.as_bytes()) {
            Some(colon) => (Some(&qname[..colon]), &qname[colon + 1..]),
            None => (None, qname),
        };
        let resolved = match prefix {
            None if !use_default => Resolved::Unbound,
            None => match self.default.and_then(|i| self.bindings.get(i)) {
                Some(b) if !b.uri.is_empty() => Resolved::Bound(&b.uri),
                _ => Resolved::Unbound,
            },
            Some(prefix) => match self.bindings.iter().rev().find(|b| b.prefix == prefix) {
                Some(b) if !b.uri.is_empty() => Resolved::Bound(&b.uri),
                _ => Resolved::Unknown,
            },
        };
        (resolved, local)
    }
}

#[cfg(test)]
mod tests {
    use super::{Namespaces, Resolved};

    #[test]
    fn scopes_follow_the_elements_that_declare_them() {
        let mut ns = Namespaces::default();
        ns.declare(1, "", "urn:a");
        ns.declare(1, "x", "urn:x");
        assert_eq!(ns.resolve("template", true), (Resolved::Bound("urn:a"), "template"));
        assert_eq!(ns.resolve("id", false), (Resolved::Unbound, "id"));
        assert_eq!(ns.resolve("x:type", false), (Resolved::Bound("urn:x"), "type"));
        assert_eq!(ns.resolve("y:type", false), (Resolved::Unknown, "type"));
        ns.declare(3, "", "");
        assert_eq!(ns.resolve("inner", true), (Resolved::Unbound, "inner"));
        ns.leave(3);
        assert_eq!(ns.resolve("outer", true), (Resolved::Bound("urn:a"), "outer"));
        ns.leave(1);
        assert_eq!(ns.resolve("x:type", false), (Resolved::Unknown, "type"));
    }
}
