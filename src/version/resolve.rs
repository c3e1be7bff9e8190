//! Which stored version a pattern means.

use super::VersionPattern;
use semver::Version;

/// The highest release matching `pattern`; pre-releases only on an exact match.
///
/// `Any`, `Major` and `MajorMinor` pick the highest release (no pre-release) with that numeric
/// prefix; `Exact` returns the version equal to it, pre-release or not, when it is present.
pub fn resolve<'a, I: IntoIterator<Item = &'a Version>>(pattern: &VersionPattern, versions: I) -> Option<&'a Version> {
    versions.into_iter().filter(|v| pattern.matches(v)).max()
}
