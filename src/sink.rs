//! Collects diagnostics, turning byte offsets of the text into line:column only when one is reported.

use crate::diagnostic::{Code, Diagnostic};
use crate::position::LineIndex;

pub(crate) struct Sink<'a> {
    index: LineIndex<'a>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Sink { index: LineIndex::new(text.as_bytes()), diagnostics: Vec::new() }
    }

    /// Records `code` at byte `offset` of the text, at `path` (an ADL section, an AQL clause, or `""`).
    pub(crate) fn report(&mut self, code: Code, message: impl Into<String>, offset: usize, path: &str) {
        let (line, column) = self.index.position(offset);
        self.diagnostics.push(Diagnostic::new(code, message, line, column, path));
    }

    /// Diagnostics in text order (stable for equal positions), as the CLI prints them.
    pub(crate) fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.diagnostics.sort_by_key(|d| (d.line, d.column));
        self.diagnostics
    }
}
