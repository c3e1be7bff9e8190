//! String in, string out: the same questions for bindings and the CLI, which then need no
//! version logic of their own.

use super::{VersionPattern, next_query_version, resolve};
use crate::diagnostic::{Code, Diagnostic};
use semver::Version;

/// [`resolve`] on strings: `Ok(None)` when nothing matches. An unparsable pattern or stored
/// version is `VER001` (the message names the stored version; the column is inside it).
pub fn resolve_str(pattern: &str, versions: &[&str]) -> Result<Option<String>, Diagnostic> {
    let pattern = VersionPattern::parse(pattern)?;
    let versions = parse_versions(versions)?;
    Ok(resolve(&pattern, &versions).map(Version::to_string))
}

/// [`next_query_version`] on strings.
pub fn next_query_version_str(requested: &str, existing: &[&str]) -> Result<String, Diagnostic> {
    let requested = VersionPattern::parse(requested)?;
    let existing = parse_versions(existing)?;
    next_query_version(&requested, &existing).map(|v| v.to_string())
}

/// Every entry must be a full version (`1.0.0`, `1.0.0-rc.1`).
fn parse_versions(versions: &[&str]) -> Result<Vec<Version>, Diagnostic> {
    versions
        .iter()
        .map(|s| match VersionPattern::parse(s) {
            Ok(VersionPattern::Exact(version)) => Ok(version),
            Ok(_) => Err(Diagnostic::new(
                Code::VersionMalformed,
                format!("stored version `{s}` is not a full `major.minor.patch` version"),
                1,
                1,
                "",
            )),
            Err(mut diagnostic) => {
                diagnostic.message = format!("stored version {}", diagnostic.message);
                Err(diagnostic)
            }
        })
        .collect()
}
