//! `openehr-defs`: check openEHR definition files, resolve SEMVER patterns, check identifiers and
//! serve the Definitions API from the command line. Every subcommand lives in its own module; this file only parses the
//! arguments and dispatches, so a new subcommand is one variant and one arm.

mod check;
mod collect;
mod example;
mod exit;
mod flat;
mod id;
mod render;
mod resolve;
mod serve;
mod style;
mod web_template;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "openehr-defs",
    version,
    about = "Check openEHR definitions: OPT 1.4 templates, ADL 2 artefacts, AQL queries, identifiers and SEMVER versions.",
    after_help = "Examples:\n  \
        openehr-defs check templates/\n  \
        openehr-defs check --json my_template.opt > report.json\n  \
        openehr-defs resolve 1 1.0.0 1.2.0 2.0.0\n  \
        openehr-defs id template \"Stationärer Versorgungsfall\"\n  \
        openehr-defs web-template --lang de my_template.opt > my_template.wt.json\n  \
        openehr-defs example --format flat --detail medium my_template.opt\n  \
        openehr-defs check-flat my_template.opt composition.flat.json\n  \
        openehr-defs serve --addr 127.0.0.1:8080\n\n\
        Exit status: 0 all good, 1 something is invalid or not found, 2 usage or I/O error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Check(check::Args),
    Resolve(resolve::ResolveArgs),
    NextVersion(resolve::NextVersionArgs),
    Id(id::Args),
    Serve(serve::Args),
    WebTemplate(web_template::Args),
    Example(example::Args),
    CheckFlat(flat::CheckArgs),
    FlatToStructured(flat::FlatToStructuredArgs),
    StructuredToFlat(flat::StructuredToFlatArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let status = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Resolve(args) => resolve::run_resolve(&args),
        Command::NextVersion(args) => resolve::run_next_version(&args),
        Command::Id(args) => id::run(&args),
        Command::Serve(args) => serve::run(args),
        Command::WebTemplate(args) => web_template::run(&args),
        Command::Example(args) => example::run(&args),
        Command::CheckFlat(args) => flat::run_check(&args),
        Command::FlatToStructured(args) => flat::run_flat_to_structured(&args),
        Command::StructuredToFlat(args) => flat::run_structured_to_flat(&args),
    };
    ExitCode::from(status)
}
