//! `openehr-defs web-template`: the web template (`application/openehr.wt+json`) of one OPT, printed as
//! pretty JSON; the same document the API answers to `Accept: application/openehr.wt+json`.

use crate::exit;
use crate::render;
use crate::style::Style;
use openehr_definitions::web_template::{Options, WebTemplate, web_template, web_template_json};
use openehr_definitions::{Kind, Report, validate};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Print the web template of an OPT 1.4 file as JSON.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    openehr-defs web-template my_template.opt > my_template.wt.json\n  \
    openehr-defs web-template --lang de --languages de,en my_template.opt\n\n\
    An invalid OPT prints its diagnostics on stderr, like `check`.\n\
    Exit status: 0 printed, 1 the OPT is invalid, 2 usage or I/O error.")]
pub struct Args {
    /// The default language (`defaultLanguage`); default: the template's own language.
    #[arg(long, value_name = "LANG")]
    lang: Option<String>,
    /// The languages to include, comma-separated; default: the template's language and translations.
    #[arg(long, value_name = "LANGS", value_delimiter = ',')]
    languages: Vec<String>,
    /// The OPT file.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

pub fn run(args: &Args) -> u8 {
    let shown = args.file.display().to_string();
    let options = Options {
        default_language: args.lang.clone().filter(|lang| !lang.trim().is_empty()),
        languages: args.languages.iter().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect(),
    };
    let built = match load(&args.file, &options, false) {
        Ok(built) => built,
        Err(status) => return status,
    };
    let json = match serde_json::to_string_pretty(&built) {
        Ok(json) => json,
        Err(error) => {
            exit::print_error(format_args!("cannot encode the web template of `{shown}`: {error}"));
            return exit::USAGE;
        }
    };
    print(&json)
}

/// Writes `text` and a newline on stdout: the status of a subcommand that printed its answer.
pub fn print(text: &str) -> u8 {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => exit::OK,
        Err(error) => exit::output_failed(&error),
    }
}

/// Reads an OPT file and builds its web template; or reports why not (on stderr, or the OPT's
/// report as `check --json` prints it on stdout when `json`) and answers the exit status.
pub fn load(file: &Path, options: &Options, json: bool) -> Result<WebTemplate, u8> {
    let shown = file.display().to_string();
    let bytes = read(file)?;
    build(&shown, &bytes, options, json)
}

/// What compositions are checked against or built from: an OPT file (built as [`load`] builds
/// it), or a web template JSON file (ours, or one a CDR served), read as it is.
pub fn load_template(file: &Path, options: &Options, json: bool) -> Result<WebTemplate, u8> {
    let shown = file.display().to_string();
    let bytes = read(file)?;
    let Some(body) = web_template_json(&bytes) else {
        return build(&shown, &bytes, options, json);
    };
    serde_json::from_slice(body).map_err(|error| {
        exit::print_error(format_args!("`{shown}` is JSON but not a web template: {error}"));
        exit::FAILED
    })
}

fn read(file: &Path) -> Result<Vec<u8>, u8> {
    std::fs::read(file).map_err(|error| {
        exit::print_error(format_args!("cannot read `{}`: {error}", file.display()));
        exit::USAGE
    })
}

fn build(shown: &str, bytes: &[u8], options: &Options, json: bool) -> Result<WebTemplate, u8> {
    let report = validate(bytes);
    if report.kind != Kind::Opt14 {
        exit::print_error(format_args!("`{shown}` is not an OPT 1.4 template (web templates are built from OPTs)"));
        return Err(exit::FAILED);
    }
    let report = if report.valid {
        match web_template(bytes, options) {
            Ok(built) => return Ok(built),
            Err(diagnostics) => Report { diagnostics, valid: false, ..report },
        }
    } else {
        report
    };
    if json {
        return Err(match render::json(shown, &report) {
            Ok(text) => match print(&text) {
                exit::OK => exit::FAILED,
                status => status,
            },
            Err(error) => {
                exit::print_error(format_args!("cannot encode the report of `{shown}`: {error}"));
                exit::USAGE
            }
        });
    }
    Err(refuse(shown, bytes, &report))
}

/// The diagnostics on stderr as `check` prints them, and the status for an invalid OPT.
fn refuse(shown: &str, bytes: &[u8], report: &Report) -> u8 {
    let style = Style::for_stderr();
    let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
    let text = render::human(shown, bytes, report, style, false);
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{text}");
    let noun = if errors == 1 { "error" } else { "errors" };
    let _ = writeln!(err, "error: `{shown}` is not a valid OPT ({errors} {noun}): no web template");
    exit::FAILED
}
