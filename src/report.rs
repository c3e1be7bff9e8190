//! One entry point for any artefact: detect its kind, then run the matching parser.

use crate::adl2::{Adl2Header, parse_adl2_header};
use crate::aql::validate_aql;
use crate::diagnostic::{Code, Diagnostic};
use crate::kind::{Kind, detect_kind};
use crate::opt::{OptMetadata, validate_opt};
use crate::text::decode_utf8;

/// The metadata of whichever kind was found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null, hashmap_as_object))]
#[cfg_attr(feature = "serde", serde(untagged))]
pub enum Metadata {
    Opt14(OptMetadata),
    Adl2(Adl2Header),
    Aql(AqlMetadata),
}

/// What the report says about an AQL query: the parameters a client must pass (without `$`).
/// The syntax tree itself is in [`crate::aql::AqlReport`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null, hashmap_as_object))]
pub struct AqlMetadata {
    pub parameters: Vec<String>,
}

/// The result of validating one artefact of any kind: what the CLI's `--json`, the npm package
/// and the HTTP API all report.
///
/// In TypeScript a union discriminated on `kind`: checking `kind` narrows `metadata`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "wasm-types",
    derive(tsify::Tsify),
    tsify(type = "\n  | { kind: \"opt14\"; valid: boolean; metadata: OptMetadata; diagnostics: Diagnostic[] }\
                  \n  | { kind: \"adl2\"; valid: boolean; metadata: Adl2Header; diagnostics: Diagnostic[] }\
                  \n  | { kind: \"aql\"; valid: boolean; metadata: AqlMetadata; diagnostics: Diagnostic[] }\
                  \n  | { kind: \"unknown\"; valid: false; metadata: null; diagnostics: Diagnostic[] }")
)]
pub struct Report {
    pub kind: Kind,
    /// True when no diagnostic is an error.
    pub valid: bool,
    /// `None` only for [`Kind::Unknown`].
    pub metadata: Option<Metadata>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    fn new(kind: Kind, metadata: Option<Metadata>, diagnostics: Vec<Diagnostic>) -> Self {
        let valid = !diagnostics.iter().any(Diagnostic::is_error);
        Report { kind, valid, metadata, diagnostics }
    }
}

/// Detects the kind of `input` from its content and validates it.
pub fn validate(input: &[u8]) -> Report {
    validate_as(input, detect_kind(input))
}

/// Validates `input` as `kind`, whatever its content looks like: for callers that know the kind
/// from elsewhere (the CLI reads every `*.aql` file as AQL, even one that does not start with SELECT).
pub fn validate_as(input: &[u8], kind: Kind) -> Report {
    match kind {
        Kind::Opt14 => {
            let report = validate_opt(input);
            Report::new(Kind::Opt14, Some(Metadata::Opt14(report.metadata)), report.diagnostics)
        }
        Kind::Adl2 => match decode_utf8(input) {
            Ok(text) => {
                let report = parse_adl2_header(text);
                Report::new(Kind::Adl2, Some(Metadata::Adl2(report.header)), report.diagnostics)
            }
            Err(diagnostic) => Report::new(Kind::Adl2, Some(Metadata::Adl2(Adl2Header::default())), vec![diagnostic]),
        },
        Kind::Aql => {
            let report = validate_aql(input);
            Report::new(
                Kind::Aql,
                Some(Metadata::Aql(AqlMetadata { parameters: report.parameters })),
                report.diagnostics,
            )
        }
        Kind::Unknown => {
            let message = if input.trim_ascii().is_empty() {
                "the input is empty"
            } else {
                "the input is neither an OPT 1.4 XML document nor an ADL 2 text"
            };
            Report::new(Kind::Unknown, None, vec![Diagnostic::new(Code::UnknownFormat, message, 1, 1, "")])
        }
    }
}
