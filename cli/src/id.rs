//! `openehr-defs id`: checks one identifier against the Definitions API rules of its kind.

use crate::exit;
use crate::style::{Role, Style};
use openehr_definitions::{ArchetypeHrid, Diagnostic, QueryName, check_archetype_id_14, check_template_id};
use std::io::{self, Write};

/// Check one identifier: prints `ok`, or the rule it breaks and where.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    openehr-defs id template \"Stationärer Versorgungsfall\"\n  \
    openehr-defs id archetype openEHR-EHR-OBSERVATION.blood_pressure.v1\n  \
    openehr-defs id adl2 openEHR-EHR-OBSERVATION.blood_pressure.v1.0.0\n  \
    openehr-defs id query org.openehr::my_compositions\n\n\
    Exit status: 0 well formed, 1 malformed.")]
pub struct Args {
    /// Which rule to check against.
    #[arg(value_enum)]
    kind: IdKind,
    /// The identifier (quote it when it contains spaces).
    #[arg(allow_hyphen_values = true)]
    value: String,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum IdKind {
    /// An ADL 1.4 template_id (free text, e.g. `Stationärer Versorgungsfall`).
    Template,
    /// An ADL 1.4 archetype id (`openEHR-EHR-OBSERVATION.blood_pressure.v1`).
    Archetype,
    /// An ADL 2 archetype HRID (`openEHR-EHR-OBSERVATION.blood_pressure.v1.0.0`).
    Adl2,
    /// A stored query's qualified name (`[namespace::]name`).
    Query,
}

pub fn run(args: &Args) -> u8 {
    let value = args.value.as_str();
    let checked = match args.kind {
        IdKind::Template => check_template_id(value),
        IdKind::Archetype => check_archetype_id_14(value),
        IdKind::Adl2 => ArchetypeHrid::parse(value).map(drop),
        IdKind::Query => QueryName::parse(value).map(drop),
    };
    let style = Style::for_stdout();
    let (text, status) = match checked {
        Ok(()) => (format!("{}\n", style.paint(Role::Ok, "ok")), exit::OK),
        Err(diagnostic) => (explain(value, &diagnostic, style), exit::FAILED),
    };
    match io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => status,
        Err(error) => exit::output_failed(&error),
    }
}

/// `error[ID005]: message at column N`, then the value with a caret under that column.
pub fn explain(value: &str, diagnostic: &Diagnostic, style: Style) -> String {
    let label = style.paint(Role::Error, &format!("{}[{}]", diagnostic.severity, diagnostic.code));
    let mut text = format!("{label}: {} at column {}\n", diagnostic.message, diagnostic.column);
    if !value.is_empty() && !value.contains(['\n', '\r']) {
        let before = usize::try_from(diagnostic.column.saturating_sub(1)).unwrap_or(usize::MAX);
        let padding: String = value.chars().take(before).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
        text.push_str(&format!("  {value}\n  {padding}{}\n", style.paint(Role::Error, "^")));
    }
    text
}
