//! `openehr-defs check-flat`, `flat-to-structured` and `structured-to-flat`: a FLAT (or
//! STRUCTURED) composition against its template's web template, with the core's diagnostics
//! rendered as `check` renders them (the JSON source line and a caret).

use crate::exit;
use crate::render;
use crate::style::Style;
use crate::web_template::{load_template, print};
use openehr_definitions::flat::{FlatReport, flat_to_structured, structured_to_flat, validate_flat_bytes};
use openehr_definitions::web_template::Options;
use openehr_definitions::{Diagnostic, Kind, Report};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Validate a FLAT (or STRUCTURED) composition against an OPT 1.4 template or its web template.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    openehr-defs check-flat my_template.opt composition.flat.json\n  \
    openehr-defs check-flat --json my_template.opt composition.json > report.json\n\n\
    A STRUCTURED composition (one root member named after the template's tree id) is validated too.\n\
    An invalid OPT prints its own diagnostics instead (with --json: its `check --json` report).\n\
    Exit status: 0 the composition is valid, 1 it (or the OPT) is invalid, 2 usage or I/O error.")]
pub struct CheckArgs {
    /// Print {path, valid, diagnostics} as JSON instead of text.
    #[arg(long)]
    json: bool,
    /// The OPT file, or its web template (JSON).
    #[arg(value_name = "TEMPLATE")]
    template: PathBuf,
    /// The composition (FLAT or STRUCTURED JSON).
    #[arg(value_name = "DATA")]
    data: PathBuf,
}

/// Convert a FLAT composition to STRUCTURED JSON.
#[derive(clap::Args)]
#[command(after_help = "Example:\n  \
    openehr-defs flat-to-structured my_template.opt composition.flat.json > composition.structured.json\n\n\
    Exit status: 0 converted, 1 the OPT or the input is invalid, 2 usage or I/O error.")]
pub struct FlatToStructuredArgs {
    /// The OPT file or its web template (checked; the conversion itself follows the FLAT paths).
    #[arg(value_name = "TEMPLATE")]
    template: PathBuf,
    /// The FLAT composition.
    #[arg(value_name = "DATA")]
    data: PathBuf,
}

/// Convert a STRUCTURED composition to FLAT JSON.
#[derive(clap::Args)]
#[command(after_help = "Example:\n  \
    openehr-defs structured-to-flat my_template.opt composition.structured.json > composition.flat.json\n\n\
    Exit status: 0 converted, 1 the OPT or the input is invalid, 2 usage or I/O error.")]
pub struct StructuredToFlatArgs {
    /// The OPT file, or its web template (JSON).
    #[arg(value_name = "TEMPLATE")]
    template: PathBuf,
    /// The STRUCTURED composition.
    #[arg(value_name = "DATA")]
    data: PathBuf,
}

/// The JSON `check-flat --json` prints: the core's `FlatReport` with the data file's path in front.
#[derive(Serialize)]
struct FileReport<'a> {
    path: &'a str,
    #[serde(flatten)]
    report: &'a FlatReport,
}

fn read(file: &Path) -> Result<Vec<u8>, u8> {
    std::fs::read(file).map_err(|error| {
        exit::print_error(format_args!("cannot read `{}`: {error}", file.display()));
        exit::USAGE
    })
}

pub fn run_check(args: &CheckArgs) -> u8 {
    let wt = match load_template(&args.template, &Options::default(), args.json) {
        Ok(wt) => wt,
        Err(status) => return status,
    };
    let data = match read(&args.data) {
        Ok(data) => data,
        Err(status) => return status,
    };
    let shown = args.data.display().to_string();
    let report = validate_flat_bytes(&wt, &data);
    let status = if report.valid { exit::OK } else { exit::FAILED };
    if args.json {
        return match serde_json::to_string(&FileReport { path: &shown, report: &report }) {
            Ok(text) => match print(&text) {
                exit::OK => status,
                failed => failed,
            },
            Err(error) => {
                exit::print_error(format_args!("cannot encode the report of `{shown}`: {error}"));
                exit::USAGE
            }
        };
    }
    let style = Style::for_stdout();
    let text = human(&shown, &data, report.diagnostics.clone(), style);
    let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = report.diagnostics.len() - errors;
    let verdict = if report.valid { "valid" } else { "invalid" };
    let summary = format!("`{shown}`: {verdict} ({}, {})", plural(errors, "error"), plural(warnings, "warning"));
    let mut out = std::io::stdout().lock();
    match write!(out, "{text}").and_then(|()| writeln!(out, "{summary}")).and_then(|()| out.flush()) {
        Ok(()) => status,
        Err(error) => exit::output_failed(&error),
    }
}

pub fn run_flat_to_structured(args: &FlatToStructuredArgs) -> u8 {
    if let Err(status) = load_template(&args.template, &Options::default(), false) {
        return status;
    }
    convert(&args.data, flat_to_structured)
}

pub fn run_structured_to_flat(args: &StructuredToFlatArgs) -> u8 {
    let wt = match load_template(&args.template, &Options::default(), false) {
        Ok(wt) => wt,
        Err(status) => return status,
    };
    convert(&args.data, |text| structured_to_flat(&wt, text))
}

/// Reads `file`, converts it and prints the result; the converter's diagnostics on stderr otherwise.
fn convert(file: &Path, converter: impl FnOnce(&str) -> Result<String, Vec<Diagnostic>>) -> u8 {
    let data = match read(file) {
        Ok(data) => data,
        Err(status) => return status,
    };
    let shown = file.display().to_string();
    let Ok(text) = std::str::from_utf8(&data) else {
        exit::print_error(format_args!("`{shown}` is not UTF-8"));
        return exit::FAILED;
    };
    match converter(text) {
        Ok(converted) => print(&converted),
        Err(diagnostics) => {
            let rendered = human(&shown, &data, diagnostics, Style::for_stderr());
            let _ = write!(std::io::stderr().lock(), "{rendered}");
            exit::print_error(format_args!("`{shown}` could not be converted"));
            exit::FAILED
        }
    }
}

/// The diagnostics as `check` prints them: headline, JSON source line, caret.
fn human(shown: &str, data: &[u8], diagnostics: Vec<Diagnostic>, style: Style) -> String {
    let valid = !diagnostics.iter().any(Diagnostic::is_error);
    let report = Report { kind: Kind::Unknown, valid, metadata: None, diagnostics };
    render::human(shown, data, &report, style, false)
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}
