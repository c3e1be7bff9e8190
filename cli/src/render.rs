//! How `check` reports: rustc-like lines with a source snippet, the closing summary, and the
//! per-file JSON object (the core's `Report` plus the `path` it came from).

use crate::style::{Role, Style};
use openehr_definitions::{Diagnostic, Report, Severity};
use serde::Serialize;
use std::fmt::Write;

/// Source lines longer than this (in bytes) get no snippet: it would only flood the terminal.
const MAX_SNIPPET_LINE: usize = 200;

/// What was found across all files, for the summary line and the exit status.
#[derive(Default)]
pub struct Tally {
    pub valid: usize,
    pub invalid: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl Tally {
    /// The tally of one file's report.
    pub fn of(report: &Report) -> Tally {
        let errors = report.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        Tally {
            valid: usize::from(report.valid),
            invalid: usize::from(!report.valid),
            errors,
            warnings: report.diagnostics.len() - errors,
        }
    }

    pub fn add(&mut self, other: &Tally) {
        self.valid += other.valid;
        self.invalid += other.invalid;
        self.errors += other.errors;
        self.warnings += other.warnings;
    }
}

/// `checked 12 files: 10 valid, 2 invalid (3 errors, 1 warning)`, plus the unreadable count if any.
pub fn summary(tally: &Tally, unreadable: usize, style: Style) -> String {
    let checked = tally.valid + tally.invalid;
    let mut line = format!(
        "checked {}: {} valid, {} invalid ({}, {})",
        plural(checked, "file"),
        tally.valid,
        tally.invalid,
        plural(tally.errors, "error"),
        plural(tally.warnings, "warning"),
    );
    if unreadable > 0 {
        let _ = write!(line, "; {} could not be read", plural(unreadable, "path"));
    }
    let role = if tally.invalid == 0 && unreadable == 0 { Role::Ok } else { Role::Error };
    style.paint(role, &line)
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

/// Every diagnostic of one file, each followed by its source line and a caret; `quiet` keeps
/// only the error lines themselves.
pub fn human(path: &str, source: &[u8], report: &Report, style: Style, quiet: bool) -> String {
    let mut out = String::new();
    let lines = LineIndex::new(source);
    for diagnostic in &report.diagnostics {
        if quiet && !diagnostic.is_error() {
            continue;
        }
        out.push_str(&headline(path, diagnostic, style));
        out.push('\n');
        if !quiet && let Some(snippet) = snippet(&lines, diagnostic.line, diagnostic.column, style) {
            out.push_str(&snippet);
        }
    }
    out
}

/// `path:line:col: error[OPT010]: message (at /template/...)`.
fn headline(path: &str, diagnostic: &Diagnostic, style: Style) -> String {
    let role = match diagnostic.severity {
        Severity::Error => Role::Error,
        Severity::Warning => Role::Warning,
    };
    let location = format!("{path}:{}:{}:", diagnostic.line, diagnostic.column);
    let label = format!("{}[{}]", diagnostic.severity, diagnostic.code);
    let mut line =
        format!("{} {}: {}", style.paint(Role::Location, &location), style.paint(role, &label), diagnostic.message);
    if !diagnostic.path.is_empty() {
        let _ = write!(line, " (at {})", diagnostic.path);
    }
    line
}

/// ` 12 | <concept>...</concept>` and a caret under `column`, or `None` when the line does not
/// exist, is too long or is not UTF-8 (a UTF-16 file, say).
fn snippet(lines: &LineIndex<'_>, line: u32, column: u32, style: Style) -> Option<String> {
    let text = lines.line(line)?;
    if text.len() > MAX_SNIPPET_LINE {
        return None;
    }
    let text = std::str::from_utf8(text).ok()?;
    if text.trim().is_empty() {
        return None;
    }
    // Keep tabs as tabs so the caret lines up however wide the terminal draws them.
    let before = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
    let padding: String = text.chars().take(before).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
    let number = line.to_string();
    let blank = " ".repeat(number.len());
    Some(format!(
        "{} {text}\n{} {padding}{}\n",
        style.paint(Role::Gutter, &format!("{number} |")),
        style.paint(Role::Gutter, &format!("{blank} |")),
        style.paint(Role::Error, "^"),
    ))
}

/// Where each line of a source starts, built once per file so every snippet is a lookup.
struct LineIndex<'a> {
    source: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(source: &'a [u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(source.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1));
        LineIndex { source, starts }
    }

    /// The bytes of 1-based line `line`, without its line ending.
    fn line(&self, line: u32) -> Option<&'a [u8]> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.starts.get(index)?;
        let end = self.starts.get(index + 1).map_or(self.source.len(), |next| next - 1);
        let text = self.source.get(start..end)?;
        Some(text.strip_suffix(b"\r").unwrap_or(text))
    }
}

/// The core's report for one file with the file's path in front: `{"path", "kind", "valid",
/// "metadata", "diagnostics"}`.
#[derive(Serialize)]
struct FileReport<'a> {
    path: &'a str,
    #[serde(flatten)]
    report: &'a Report,
}

pub fn json(path: &str, report: &Report) -> serde_json::Result<String> {
    serde_json::to_string(&FileReport { path, report })
}
