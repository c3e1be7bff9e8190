//! Parsing and printing version patterns.

use crate::diagnostic::{Code, Diagnostic};
use crate::ident::char_column;
use semver::Version;
use std::cmp::Ordering;
use std::fmt;

/// A version pattern as the Definitions API accepts it: none, `M`, `M.m`, `M.m.p[-pre][+build]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionPattern {
    /// The empty pattern: any release.
    Any,
    /// `M`: any release with this major number.
    Major(u64),
    /// `M.m`: any release with this major and minor number.
    MajorMinor(u64, u64),
    /// `M.m.p[-pre]`: exactly this version.
    Exact(Version),
}

impl VersionPattern {
    /// Parses a pattern; the empty string is [`VersionPattern::Any`]. Anything else that is not
    /// `M`, `M.m` or a full SEMVER version is `VER001`, positioned at the first bad character
    /// (numbers may not have leading zeros; no white space anywhere).
    pub fn parse(s: &str) -> Result<Self, Diagnostic> {
        if s.is_empty() {
            return Ok(VersionPattern::Any);
        }
        let mut numbers = Vec::with_capacity(3);
        let mut pos = 0;
        loop {
            let (value, end) = parse_number(s, pos)?;
            numbers.push(value);
            pos = end;
            match s[pos..].chars().next() {
                None => break,
                Some('.') if numbers.len() < 3 => pos += 1,
                Some('.') => return Err(malformed(s, pos, "a version has at most three numbers")),
                Some('-' | '+') if numbers.len() == 3 => {
                    check_suffix(s, pos)?;
                    return Version::parse(s)
                        .map(VersionPattern::Exact)
                        .map_err(|e| malformed(s, pos, &format!("not a SEMVER version: {e}")));
                }
                Some('-' | '+') => {
                    return Err(malformed(s, pos, "a pre-release or build needs a full `major.minor.patch` version"));
                }
                Some(c) => return Err(malformed(s, pos, &format!("expected `.` or the end, found `{c}`"))),
            }
        }
        Ok(match numbers[..] {
            [major] => VersionPattern::Major(major),
            [major, minor] => VersionPattern::MajorMinor(major, minor),
            [major, minor, patch] => VersionPattern::Exact(Version::new(major, minor, patch)),
            _ => return Err(malformed(s, 0, "not a version pattern")),
        })
    }

    /// Whether `version` is one this pattern means. Numeric prefixes and [`VersionPattern::Any`]
    /// match releases only; [`VersionPattern::Exact`] matches the same version (pre-release
    /// included, build metadata ignored).
    pub fn matches(&self, version: &Version) -> bool {
        match self {
            VersionPattern::Any => version.pre.is_empty(),
            VersionPattern::Major(major) => version.pre.is_empty() && version.major == *major,
            VersionPattern::MajorMinor(major, minor) => {
                version.pre.is_empty() && version.major == *major && version.minor == *minor
            }
            VersionPattern::Exact(exact) => version.cmp_precedence(exact) == Ordering::Equal,
        }
    }
}

impl std::str::FromStr for VersionPattern {
    type Err = Diagnostic;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        VersionPattern::parse(s)
    }
}

impl fmt::Display for VersionPattern {
    /// The pattern as it is parsed back: `""`, `1`, `1.0` or the full version.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionPattern::Any => Ok(()),
            VersionPattern::Major(major) => write!(f, "{major}"),
            VersionPattern::MajorMinor(major, minor) => write!(f, "{major}.{minor}"),
            VersionPattern::Exact(version) => write!(f, "{version}"),
        }
    }
}

/// A decimal number without leading zeros starting at byte `pos`; returns it and its end.
fn parse_number(s: &str, pos: usize) -> Result<(u64, usize), Diagnostic> {
    let rest = &s[pos..];
    let len = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    let digits = &rest[..len];
    match rest.chars().next() {
        None => return Err(malformed(s, pos, "expected a number, found the end")),
        Some(c) if len == 0 => return Err(malformed(s, pos, &format!("expected a number, found `{c}`"))),
        _ => {}
    }
    if len > 1 && digits.starts_with('0') {
        return Err(malformed(s, pos, &format!("`{digits}` has a leading zero")));
    }
    let value = digits.parse().map_err(|_| malformed(s, pos, &format!("`{digits}` is too large")))?;
    Ok((value, pos + len))
}

/// Checks `-pre[+build]` / `+build` after the patch number, so errors point at the bad character:
/// dot-separated identifiers of `[0-9A-Za-z-]`, none empty, numeric pre-release parts without
/// leading zeros.
fn check_suffix(s: &str, start: usize) -> Result<(), Diagnostic> {
    let mut pos = start;
    let mut in_build = false;
    while let Some(sep) = s[pos..].chars().next() {
        if sep == '+' {
            if in_build {
                return Err(malformed(s, pos, "a version has at most one `+build` part"));
            }
            in_build = true;
        }
        pos += 1;
        let rest = &s[pos..];
        let len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).unwrap_or(rest.len());
        let ident = &rest[..len];
        if ident.is_empty() {
            let found = rest.chars().next().map_or_else(|| "the end".to_string(), |c| format!("`{c}`"));
            return Err(malformed(s, pos, &format!("expected a pre-release or build identifier, found {found}")));
        }
        if !in_build && ident.len() > 1 && ident.starts_with('0') && ident.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed(s, pos, &format!("`{ident}` has a leading zero")));
        }
        pos += len;
        match s[pos..].chars().next() {
            None | Some('.') | Some('+') => {}
            Some(c) => return Err(malformed(s, pos, &format!("`{c}` is not allowed in a version"))),
        }
    }
    Ok(())
}

fn malformed(s: &str, pos: usize, reason: &str) -> Diagnostic {
    Diagnostic::new(
        Code::VersionMalformed,
        format!("`{s}` is not a version pattern: {reason}"),
        1,
        char_column(s, pos),
        "",
    )
}
