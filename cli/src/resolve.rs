//! `openehr-defs resolve` and `openehr-defs next-version`: the Definitions API's SEMVER rules
//! on the command line.

use crate::exit;
use openehr_definitions::{Code, Diagnostic};
use std::io::{self, Write};

/// Print the version PATTERN resolves to among VERSION...: the highest release matching it.
#[derive(clap::Args)]
#[command(after_help = "PATTERN is empty (any), MAJOR, MAJOR.MINOR or a full MAJOR.MINOR.PATCH[-pre];\n\
    pre-releases match only an exact pattern.\n\n\
    Examples:\n  \
    openehr-defs resolve 1 1.0.0 1.2.0 2.0.0      # prints 1.2.0\n  \
    openehr-defs resolve 2.0 1.0.0 2.0.1 2.1.0    # prints 2.0.1\n\n\
    Exit status: 0 resolved, 1 no version matches, 2 PATTERN or a VERSION is malformed.")]
pub struct ResolveArgs {
    /// `""`, `MAJOR`, `MAJOR.MINOR` or `MAJOR.MINOR.PATCH[-pre]`.
    #[arg(allow_hyphen_values = true)]
    pattern: String,
    /// The versions that exist.
    #[arg(value_name = "VERSION")]
    versions: Vec<String>,
}

/// Print the version a stored query PUT with REQUESTED gets, given the versions that exist.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    openehr-defs next-version --existing 1.0.0 1.0.1   # a PUT without version\n  \
    openehr-defs next-version 2.0.0 --existing 1.0.0\n\n\
    Exit status: 0 printed, 1 the requested version already exists, 2 something is malformed.")]
pub struct NextVersionArgs {
    /// The version asked for (empty or absent: let the server choose).
    #[arg(default_value = "")]
    requested: String,
    /// The versions of the query that already exist.
    #[arg(long, value_name = "VERSION", num_args = 0..)]
    existing: Vec<String>,
}

pub fn run_resolve(args: &ResolveArgs) -> u8 {
    match pending::resolve_str(&args.pattern, &args.versions) {
        Ok(Some(resolved)) => print_answer(&resolved),
        Ok(None) => {
            exit::print_error(format_args!("no version matches `{}`", args.pattern));
            exit::FAILED
        }
        Err(diagnostic) => print_diagnostic(&diagnostic),
    }
}

pub fn run_next_version(args: &NextVersionArgs) -> u8 {
    match pending::next_query_version_str(&args.requested, &args.existing) {
        Ok(next) => print_answer(&next),
        Err(diagnostic) => print_diagnostic(&diagnostic),
    }
}

fn print_answer(version: &str) -> u8 {
    match writeln!(io::stdout().lock(), "{version}") {
        Ok(()) => exit::OK,
        Err(error) => exit::output_failed(&error),
    }
}

/// A malformed input is a usage error (2); any other refusal (the version exists) is 1.
fn print_diagnostic(diagnostic: &Diagnostic) -> u8 {
    let _ = writeln!(io::stderr().lock(), "{}[{}]: {}", diagnostic.severity, diagnostic.code, diagnostic.message);
    if diagnostic.code == Code::VersionMalformed { exit::USAGE } else { exit::FAILED }
}

/// TEMPORARY stand-in for the core's `version::resolve_str` / `next_query_version_str`, which are
/// being added to `src/version.rs`; removed as soon as they land.
mod pending {
    use openehr_definitions::version::{self, Version, VersionPattern};
    use openehr_definitions::{Code, Diagnostic};

    fn parse_versions(versions: &[String]) -> Result<Vec<Version>, Diagnostic> {
        versions
            .iter()
            .map(|v| {
                Version::parse(v).map_err(|e| Diagnostic::new(Code::VersionMalformed, format!("`{v}`: {e}"), 1, 1, ""))
            })
            .collect()
    }

    pub fn resolve_str(pattern: &str, versions: &[String]) -> Result<Option<String>, Diagnostic> {
        let pattern = VersionPattern::parse(pattern)?;
        let versions = parse_versions(versions)?;
        Ok(version::resolve(&pattern, &versions).map(Version::to_string))
    }

    pub fn next_query_version_str(requested: &str, existing: &[String]) -> Result<String, Diagnostic> {
        let requested = VersionPattern::parse(requested)?;
        let existing = parse_versions(existing)?;
        version::next_query_version(&requested, &existing).map(|v| v.to_string())
    }
}
