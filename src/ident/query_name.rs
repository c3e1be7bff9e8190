//! Stored query names: `[{namespace}::]{query-name}`.

use super::scan::{Scanner, char_column, is_namespace_char, namespace};
use crate::diagnostic::{Code, Diagnostic};
use std::fmt;

/// A stored query's `qualified_query_name`: `[{namespace}::]{query-name}`.
///
/// As the Definitions API specification (`Qualified_query_name`) says: the optional
/// `namespace` is a reverse domain name (labels of `[a-zA-Z0-9_-]` separated by single dots,
/// no empty label), the `query-name` is `[a-zA-Z0-9_.-]+` and is never `aql` in any case
/// (`ID007`), and there is at most one `::`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null, hashmap_as_object))]
pub struct QueryName {
    pub namespace: Option<String>,
    pub name: String,
}

impl QueryName {
    /// Parses a qualified query name; errors carry the column of the offending character.
    pub fn parse(s: &str) -> Result<Self, Diagnostic> {
        if s.is_empty() {
            return Err(Diagnostic::new(Code::IdEmpty, "the query name is empty", 1, 1, ""));
        }
        let mut scan = Scanner::new(s);
        let namespace = match s.find("::") {
            Some(0) => return Err(scan.error(Code::IdMalformed, "the namespace before `::` is empty")),
            Some(end) => {
                namespace(&mut scan)?;
                if let Some(c) = scan.peek().filter(|_| !scan.rest().starts_with("::")) {
                    return Err(scan.error(Code::IdForbiddenChar, format!("`{c}` is not allowed in a namespace")));
                }
                scan.eat_str("::");
                Some(s[..end].to_string())
            }
            None => None,
        };
        let name_start = s.len() - scan.rest().len();
        let name = scan.take_while(is_query_name_char);
        if let Some(c) = scan.peek() {
            if scan.rest().starts_with("::") {
                return Err(scan.error(Code::IdMalformed, "a query name has at most one `::`"));
            }
            return Err(scan.error(Code::IdForbiddenChar, format!("`{c}` is not allowed in a query name")));
        }
        if name.is_empty() {
            return Err(scan.error(Code::IdMalformed, "the query name after `::` is empty"));
        }
        if name.eq_ignore_ascii_case("aql") {
            let column = char_column(s, name_start);
            return Err(Diagnostic::new(Code::IdReserved, "`aql` is a reserved query name", 1, column, ""));
        }
        Ok(QueryName { namespace, name: name.to_string() })
    }

    /// Whether this name is listed under `prefix` by `GET /definition/query/{name}`.
    ///
    /// The prefix matches whole segments only: the full name (as displayed) equals `prefix`,
    /// or starts with it followed by `::` or `.`. So `org.openehr` lists `org.openehr::a` and
    /// `org.openehr.x::b`, but not `org.openehrx::c`. A prefix that itself ends at a boundary
    /// (`org.openehr::`, `org.`) matches every name that starts with it, and the empty prefix
    /// matches every name.
    pub fn matches_prefix(&self, prefix: &str) -> bool {
        let full = self.to_string();
        let Some(rest) = full.strip_prefix(prefix) else {
            return false;
        };
        rest.is_empty()
            || prefix.is_empty()
            || prefix.ends_with("::")
            || prefix.ends_with('.')
            || rest.starts_with("::")
            || rest.starts_with('.')
    }
}

fn is_query_name_char(c: char) -> bool {
    is_namespace_char(c) || c == '.'
}

impl fmt::Display for QueryName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(ns) = &self.namespace {
            write!(f, "{ns}::")?;
        }
        f.write_str(&self.name)
    }
}

impl std::str::FromStr for QueryName {
    type Err = Diagnostic;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        QueryName::parse(s)
    }
}
