//! Which version a stored query PUT gets.

use super::VersionPattern;
use crate::diagnostic::{Code, Diagnostic};
use semver::Version;

/// The version a stored query PUT with `requested` gets, given the versions that exist.
///
/// - `Any` → the next major: `(highest major)+1.0.0`, or `1.0.0` when nothing exists;
/// - `Major(M)` → `M.(highest minor in M)+1.0`, or `M.0.0` when major `M` has no release;
/// - `MajorMinor(M, m)` → `M.m.(highest patch)+1`, or `M.m.0`;
/// - `Exact(v)` → `v`, or `VER002` when `v` exists already (pre-release included).
///
/// Only releases count for the three computed cases: an existing `2.0.0-rc.1` does not make
/// `Any` answer `3.0.0`; the computed version is always a release, so it never collides with
/// a pre-release. A number that would overflow is `VER001`.
pub fn next_query_version<'a, I: IntoIterator<Item = &'a Version>>(
    requested: &VersionPattern,
    existing: I,
) -> Result<Version, Diagnostic> {
    let mut counted =
        existing.into_iter().filter(|v| v.pre.is_empty() || matches!(requested, VersionPattern::Exact(_)));
    match requested {
        VersionPattern::Any => match counted.map(|v| v.major).max() {
            None => Ok(Version::new(1, 0, 0)),
            Some(major) => Ok(Version::new(bump(major)?, 0, 0)),
        },
        VersionPattern::Major(major) => match counted.filter(|v| v.major == *major).map(|v| v.minor).max() {
            None => Ok(Version::new(*major, 0, 0)),
            Some(minor) => Ok(Version::new(*major, bump(minor)?, 0)),
        },
        VersionPattern::MajorMinor(major, minor) => {
            match counted.filter(|v| v.major == *major && v.minor == *minor).map(|v| v.patch).max() {
                None => Ok(Version::new(*major, *minor, 0)),
                Some(patch) => Ok(Version::new(*major, *minor, bump(patch)?)),
            }
        }
        VersionPattern::Exact(version) => {
            if counted.any(|v| requested.matches(v)) {
                Err(Diagnostic::new(Code::VersionExists, format!("version {version} already exists"), 1, 1, ""))
            } else {
                Ok(version.clone())
            }
        }
    }
}

fn bump(n: u64) -> Result<u64, Diagnostic> {
    n.checked_add(1).ok_or_else(|| {
        Diagnostic::new(Code::VersionMalformed, format!("no version follows {n}: the number is too large"), 1, 1, "")
    })
}
