//! # openehr-definitions
//!
//! The core of the openEHR Definitions toolkit: validate ADL 1.4 operational templates (OPT XML)
//! and ADL 2 headers, parse and check AQL queries ([`aql`]), check the identifiers the
//! Definitions API uses, and resolve SEMVER version prefixes. Pure Rust with no I/O, no wasm, HTTP or host dependency, so the same code
//! runs natively, in the browser (`pkg/`) and at the edge (`edge/`).
//!
//! ```
//! let xml = std::fs::read("tests/fixtures/opt14/valid/ehrbase_integration_test__opt__minimal_action.opt").unwrap();
//! let report = openehr_definitions::validate(&xml);
//! assert_eq!(report.kind, openehr_definitions::Kind::Opt14);
//! assert!(report.valid);
//! ```
//!
//! [`web_template::web_template`] builds the web template (format 2.3) of an OPT from the typed
//! model [`template::parse_template`] reads. [`flat::validate_flat`] checks a FLAT (or STRUCTURED)
//! composition against a web template, with positions from a small built-in JSON reader.
//!
//! Every finding is a [`Diagnostic`] `{code, severity, message, line, column, path}` with a stable
//! [`Code`]. The code table:
//!
//! | code | severity | meaning |
//! |---|---|---|
#![doc = include_str!("../docs/codes.md")]
//!
//! ## Limits
//!
//! OPT validation streams the input once and never builds a document tree. Memory grows with
//! the nesting depth and with the number of distinct `node_id`s of one archetype root, not with
//! the input size. Inputs larger than [`opt::MAX_INPUT_BYTES`] or nested deeper than
//! [`opt::MAX_DEPTH`] stop with `OPT004`. DOCTYPE declarations stop with `OPT003`: entities are
//! never expanded and nothing is ever fetched.
//!
//! The AQL parser recurses at most [`aql::MAX_DEPTH`] levels (parentheses, brackets, `NOT`,
//! `CONTAINS`, function calls) and stops with `AQL004` beyond, so no query can exhaust the stack.

pub mod adl2;
pub mod aql;
mod diagnostic;
pub mod example;
mod file_name;
pub mod flat;
pub mod ident;
mod json;
mod kind;
pub mod opt;
mod position;
mod report;
mod sink;
pub mod template;
mod text;
pub mod version;
pub mod web_template;

pub use adl2::{Adl2Header, Adl2Report, ArtefactKind, parse_adl2_header};
pub use aql::{AqlReport, parse_aql, validate_aql};
pub use diagnostic::{Code, Diagnostic, Severity};
pub use file_name::{DEFINITION_EXTENSIONS, is_definition_file_name, kind_from_file_name, validate_file};
pub use ident::{ArchetypeHrid, QueryName, check_archetype_id_14, check_template_id};
pub use kind::{Kind, detect_kind};
pub use opt::{OptMetadata, OptReport, parse_opt_metadata, validate_opt};
pub use report::{AqlMetadata, Metadata, Report, validate, validate_as};
pub use version::{VersionPattern, next_query_version, resolve};
