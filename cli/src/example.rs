//! `openehr-defs example`: an example composition of one OPT, as the Definitions API builds it
//! (`GET .../example`), in FLAT, STRUCTURED, canonical JSON or XML.

use crate::exit;
use crate::web_template::{load_template, print};
use openehr_definitions::example::{DetailLevel, ExampleFormat, ExampleKind, ExampleOptions, example};
use openehr_definitions::web_template::Options;
use std::path::PathBuf;

/// Print an example composition of an OPT 1.4 template.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    openehr-defs example my_template.opt > example.flat.json\n  \
    openehr-defs example --format xml --detail complete --lang de my_template.opt\n\n\
    An invalid OPT prints its diagnostics on stderr, like `check`.\n\
    Exit status: 0 printed, 1 the OPT is invalid, 2 usage or I/O error.")]
pub struct Args {
    /// flat, structured, json (canonical) or xml.
    #[arg(long, default_value = "flat", value_name = "FORMAT")]
    format: String,
    /// input (no values the CDR fills from the context) or output.
    #[arg(long = "type", default_value = "input", value_name = "TYPE")]
    kind: String,
    /// required, medium or complete.
    #[arg(long, default_value = "required", value_name = "LEVEL")]
    detail: String,
    /// The language of labels and codes; default: the template's own language.
    #[arg(long, value_name = "LANG")]
    lang: Option<String>,
    /// The OPT file, or its web template (JSON).
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

/// The parsed word, or the usage error naming the bad value and the accepted ones.
fn parse<T>(option: &str, value: &str, accepted: &str, parser: fn(&str) -> Option<T>) -> Result<T, u8> {
    parser(value.trim()).ok_or_else(|| {
        exit::print_error(format_args!("invalid value {value:?} for --{option} (expected {accepted})"));
        exit::USAGE
    })
}

pub fn run(args: &Args) -> u8 {
    let parsed =
        parse("format", &args.format, "flat, structured, json or xml", ExampleFormat::from_name).and_then(|format| {
            let kind = parse("type", &args.kind, "input or output", ExampleKind::from_name)?;
            let detail = parse("detail", &args.detail, "required, medium or complete", DetailLevel::from_name)?;
            Ok((format, kind, detail))
        });
    let (format, kind, detail) = match parsed {
        Ok(parsed) => parsed,
        Err(status) => return status,
    };
    let language = args.lang.clone().filter(|lang| !lang.trim().is_empty());
    let options = Options { default_language: language.clone(), languages: Vec::new() };
    let wt = match load_template(&args.file, &options, false) {
        Ok(wt) => wt,
        Err(status) => return status,
    };
    print(&example(&wt, format, &ExampleOptions { kind, detail, language }))
}
