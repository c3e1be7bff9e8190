//! AQL, the Archetype Query Language: a hand-written lexer and recursive-descent parser for the
//! grammar of AQL 1.1 (openEHR specifications-QUERY), with the legacy forms that real queries
//! still use (TIMEWINDOW, LIMIT before ORDER BY, `NOT CONTAINS` without a class, a trailing `;`;
//! warned `AQL020`).
//!
//! [`parse_aql`] returns the typed tree ([`Query`]), the `$parameters` a client must pass and
//! every diagnostic, in text order. Syntax errors (`AQL001`–`AQL007`) leave `query` empty;
//! semantic errors (`AQL010`–`AQL013`: unknown or duplicate variables, duplicate aliases,
//! malformed archetype ids) keep the tree. Recovery is per clause, so one pass reports the first
//! error of every broken clause.
//!
//! Diagnostics are positioned at the offending token (1-based line, column in characters): for
//! a missing token, the token found instead, or the end of the last token when the query ran out;
//! for an unclosed bracket or string, its opening character. `path` is the clause the token is
//! in: `/select`, `/from`, `/where`, `/order_by`, `/limit`, `/timewindow`, or `""` before SELECT.
//! Nesting deeper than [`MAX_DEPTH`] stops the parser with `AQL004`, so no input can exhaust the stack.
//!
//! [`Query`] implements `Display` as canonical AQL: `parse_aql(&q.to_string()).query == Some(q)`.
//!
//! ```
//! let report = openehr_definitions::parse_aql(
//!     "select e/ehr_id/value from EHR e[ehr_id/value=$ehr_id] contains COMPOSITION c",
//! );
//! assert!(report.is_valid());
//! assert_eq!(report.parameters, ["ehr_id"]);
//! assert_eq!(
//!     report.query.unwrap().to_string(),
//!     "SELECT e/ehr_id/value FROM EHR e[ehr_id/value=$ehr_id] CONTAINS COMPOSITION c"
//! );
//! ```

mod ast;
mod check;
mod lex;
mod parse;
mod print;

pub use ast::*;
pub use parse::MAX_DEPTH;

use crate::diagnostic::Diagnostic;
use crate::text::decode_utf8;

/// The result of reading one query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AqlReport {
    /// The tree; `None` when the query has a syntax error.
    pub query: Option<Query>,
    /// The parameters the query uses, without `$` (`ehr_id` for `$ehr_id`), each once, in order
    /// of first use: what a client must pass as `query_parameters`.
    pub parameters: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

impl AqlReport {
    /// True when no diagnostic is an error (warnings allowed).
    pub fn is_valid(&self) -> bool {
        !self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses and checks an AQL query.
pub fn parse_aql(text: &str) -> AqlReport {
    let mut parser = parse::Parser::new(text);
    let query = parser.query();
    let facts = std::mem::take(&mut parser.facts);
    let mut sink = parser.sink;
    check::check(&facts, &mut sink);
    AqlReport { query, parameters: facts.parameters, diagnostics: sink.into_sorted() }
}

/// [`parse_aql`] over bytes: a UTF-8 BOM is skipped, other encodings are refused (`OPT002`).
pub fn validate_aql(input: &[u8]) -> AqlReport {
    match decode_utf8(input) {
        Ok(text) => parse_aql(text),
        Err(diagnostic) => AqlReport { query: None, parameters: Vec::new(), diagnostics: vec![diagnostic] },
    }
}
