//! `openehr-defs resolve` and `openehr-defs next-version`: the Definitions API's SEMVER rules
//! on the command line.

use crate::exit;
use openehr_definitions::{Code, Diagnostic, version};
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
    match version::resolve_str(&args.pattern, &as_strs(&args.versions)) {
        Ok(Some(resolved)) => print_answer(&resolved),
        Ok(None) => {
            exit::print_error(format_args!("no version matches `{}`", args.pattern));
            exit::FAILED
        }
        Err(diagnostic) => print_diagnostic(&diagnostic),
    }
}

pub fn run_next_version(args: &NextVersionArgs) -> u8 {
    match version::next_query_version_str(&args.requested, &as_strs(&args.existing)) {
        Ok(next) => print_answer(&next),
        Err(diagnostic) => print_diagnostic(&diagnostic),
    }
}

fn as_strs(values: &[String]) -> Vec<&str> {
    values.iter().map(String::as_str).collect()
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
