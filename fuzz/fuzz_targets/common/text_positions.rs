//! The check every text target makes: each diagnostic lies inside the text it was given.

use openehr_definitions::Diagnostic;

/// Each line's width in characters, counted once: checking a position is then O(1), so
/// thousands of diagnostics on one long line do not slow the fuzzer down.
pub struct Lines(Vec<usize>);

impl Lines {
    pub fn of(text: &str) -> Self {
        Lines(text.split('\n').map(|line| line.chars().count()).collect())
    }

    /// 1-based, on a line of the text, at most one past the end of that line.
    pub fn assert_inside(&self, d: &Diagnostic) {
        assert!(d.line >= 1 && d.column >= 1, "unpositioned diagnostic {d}");
        let width = self.0.get(d.line as usize - 1).unwrap_or_else(|| panic!("diagnostic {d} past the last line"));
        assert!(d.column as usize <= width + 1, "diagnostic {d} past the end of its line");
    }
}
