//! The ADL 2 archetype human-readable id (HRID).

use super::archetype_id::expect;
use super::scan::{Scanner, name, namespace, number};
use crate::diagnostic::{Code, Diagnostic};
use std::fmt;

/// An ADL 2 archetype HRID: `[namespace::]publisher-package-CLASS.concept.vN.N.N[-pre]`.
///
/// - `namespace`: reverse domain name (`org.openehr`), labels of `[a-zA-Z0-9_-]` joined by dots;
/// - `rm_publisher`, `rm_package`, `rm_class`: `[A-Za-z][A-Za-z0-9_]*`;
/// - `concept`: `[A-Za-z][A-Za-z0-9_]*` followed by any number of `-[A-Za-z0-9_]+` parts, so
///   that specialisations (`report-result`) and template overlay ids
///   (`ovl-blood_pressure-blood_pressure-001`) parse;
/// - version: `N.N.N` (no leading zeros) with an optional `-rc`, `-alpha` or `-beta`
///   pre-release, itself optionally numbered (`-rc.2`). References (`specialize` parents)
///   may give only `vN` or `vN.N` and are read with [`ArchetypeHrid::parse_reference`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null, hashmap_as_object))]
pub struct ArchetypeHrid {
    pub namespace: Option<String>,
    pub rm_publisher: String,
    pub rm_package: String,
    pub rm_class: String,
    pub concept: String,
    /// The version as written after `v` (`1.0.0`, `1.0.0-rc.1`, or partial `1` / `1.0` in references).
    pub version: String,
}

/// ADL 2 pre-release labels.
const PRE_RELEASES: &[&str] = &["alpha", "beta", "rc"];

impl ArchetypeHrid {
    /// Parses a full HRID (complete `vN.N.N[-pre]` version).
    pub fn parse(s: &str) -> Result<Self, Diagnostic> {
        parse(s, false)
    }

    /// Parses an HRID used as a reference (e.g. a `specialize` parent), whose version may be
    /// partial: `vN`, `vN.N` or a full `vN.N.N[-pre]`.
    pub fn parse_reference(s: &str) -> Result<Self, Diagnostic> {
        parse(s, true)
    }

    /// The version as SEMVER, when it is complete.
    pub fn semver(&self) -> Option<semver::Version> {
        semver::Version::parse(&self.version).ok()
    }
}

impl fmt::Display for ArchetypeHrid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(ns) = &self.namespace {
            write!(f, "{ns}::")?;
        }
        write!(f, "{}-{}-{}.{}.v{}", self.rm_publisher, self.rm_package, self.rm_class, self.concept, self.version)
    }
}

impl std::str::FromStr for ArchetypeHrid {
    type Err = Diagnostic;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ArchetypeHrid::parse(s)
    }
}

fn parse(s: &str, partial_version: bool) -> Result<ArchetypeHrid, Diagnostic> {
    if s.is_empty() {
        return Err(Diagnostic::new(Code::IdEmpty, "the archetype id is empty", 1, 1, ""));
    }
    let mut scan = Scanner::new(s);
    let namespace = if s.contains("::") {
        let start = scan.rest();
        namespace(&mut scan)?;
        let ns = &start[..start.len() - scan.rest().len()];
        if !scan.eat_str("::") {
            let found = scan.peek().map_or_else(|| "the end".to_string(), |c| format!("`{c}`"));
            return Err(scan.error(Code::IdMalformed, format!("expected `::` after the namespace, found {found}")));
        }
        Some(ns.to_string())
    } else {
        None
    };
    let rm_publisher = name(&mut scan, "RM publisher")?.to_string();
    expect(&mut scan, '-', "after the RM publisher")?;
    let rm_package = name(&mut scan, "RM package")?.to_string();
    expect(&mut scan, '-', "after the RM package")?;
    let rm_class = name(&mut scan, "RM class")?.to_string();
    expect(&mut scan, '.', "after the RM class")?;
    let concept = concept(&mut scan)?.to_string();
    expect(&mut scan, '.', "after the concept")?;
    expect(&mut scan, 'v', "to start the version")?;
    let version = version(&mut scan, partial_version)?.to_string();
    if let Some(c) = scan.peek() {
        return Err(scan.error(Code::IdMalformed, format!("unexpected `{c}` after the version")));
    }
    Ok(ArchetypeHrid { namespace, rm_publisher, rm_package, rm_class, concept, version })
}

/// `name(-part)*`, where later parts may start with a digit (`ovl-x-001`).
fn concept<'a>(scan: &mut Scanner<'a>) -> Result<&'a str, Diagnostic> {
    let start = scan.rest();
    name(scan, "concept")?;
    while scan.eat('-') {
        let part = scan.take_while(|c| c.is_ascii_alphanumeric() || c == '_');
        if part.is_empty() {
            return Err(scan.error(Code::IdMalformed, "the concept has an empty part after `-`"));
        }
    }
    Ok(&start[..start.len() - scan.rest().len()])
}

/// `N.N.N[-(alpha|beta|rc)[.N]]`, or `N` / `N.N` when `partial` is allowed.
fn version<'a>(scan: &mut Scanner<'a>, partial: bool) -> Result<&'a str, Diagnostic> {
    let start = scan.rest();
    number(scan, "major version")?;
    let mut parts = 1;
    while parts < 3 && scan.eat('.') {
        number(scan, if parts == 1 { "minor version" } else { "patch version" })?;
        parts += 1;
    }
    if parts < 3 && !partial {
        return Err(scan.error(Code::IdMalformed, "the version must be complete: `vN.N.N`"));
    }
    if scan.eat('-') {
        if parts < 3 {
            return Err(scan.error(Code::IdMalformed, "a pre-release needs a complete `vN.N.N` version"));
        }
        let Some(label) = PRE_RELEASES.iter().find(|label| scan.rest().starts_with(**label)) else {
            return Err(scan.error(Code::IdMalformed, "the pre-release must be `alpha`, `beta` or `rc`"));
        };
        scan.eat_str(label);
        if scan.eat('.') {
            number(scan, "pre-release number")?;
        }
    }
    Ok(&start[..start.len() - scan.rest().len()])
}
