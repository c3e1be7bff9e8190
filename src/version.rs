//! SEMVER patterns and resolution. PLACEHOLDER: signatures fixed, bodies to be written.

use crate::diagnostic::Diagnostic;
pub use semver::Version;

/// A version pattern as the Definitions API accepts it: none, `M`, `M.m`, `M.m.p[-pre]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionPattern {
    Any,
    Major(u64),
    MajorMinor(u64, u64),
    Exact(Version),
}

impl VersionPattern {
    /// Parses a pattern; the empty string is [`VersionPattern::Any`].
    pub fn parse(s: &str) -> Result<Self, Diagnostic> {
        let _ = s;
        Ok(VersionPattern::Any)
    }
}

/// The highest release matching `pattern`; pre-releases only on an exact match.
pub fn resolve<'a, I: IntoIterator<Item = &'a Version>>(pattern: &VersionPattern, versions: I) -> Option<&'a Version> {
    let _ = pattern;
    versions.into_iter().max()
}

/// The version a stored query PUT with `requested` gets, given the versions that exist.
pub fn next_query_version<'a, I: IntoIterator<Item = &'a Version>>(
    requested: &VersionPattern,
    existing: I,
) -> Result<Version, Diagnostic> {
    let _ = (requested, existing.into_iter());
    Ok(Version::new(1, 0, 0))
}
