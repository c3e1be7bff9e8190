//! The result shapes that exist only in JS: the identifier and version checks, which return a
//! Rust `Result` in the core. Every other result is the core's own type, whose TypeScript
//! declaration the core generates (feature `wasm-types`), so nothing here mirrors the core.

use openehr_definitions::aql::Query;
use openehr_definitions::flat::FlatReport;
use openehr_definitions::web_template::WebTemplate;
use openehr_definitions::{AqlReport, ArchetypeHrid, Diagnostic, QueryName};
use serde::Serialize;
use tsify::Tsify;

/// Declares one check result type. Every check (identifiers, versions) returns the same shape
/// `{valid, value, diagnostic}`: `valid` is false exactly when `diagnostic` is set; `value` is
/// what the check produced (`null` when invalid). Concrete types, not one generic, so the
/// generated TypeScript names each result fully.
macro_rules! check_type {
    ($(#[$doc:meta])* $name:ident, $value:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Serialize, Tsify)]
        #[tsify(missing_as_null, hashmap_as_object)]
        pub struct $name {
            pub valid: bool,
            pub value: Option<$value>,
            pub diagnostic: Option<Diagnostic>,
        }

        impl $name {
            /// Converts a core `Result`, mapping its success value with `f`.
            pub fn from_result<U, F: FnOnce(U) -> Option<$value>>(result: Result<U, Diagnostic>, f: F) -> Self {
                match result {
                    Ok(value) => $name { valid: true, value: f(value), diagnostic: None },
                    Err(diagnostic) => $name { valid: false, value: None, diagnostic: Some(diagnostic) },
                }
            }
        }
    };
}

check_type!(
    /// `checkTemplateId`: `value` is the id; `resolveVersion`/`nextQueryVersion`: the version
    /// (`resolveVersion` gives `null` with `valid: true` when no version matches).
    StringCheck,
    String
);
check_type!(
    /// `checkAdl2Id`: `value` is the parsed HRID.
    HridCheck,
    ArchetypeHrid
);
check_type!(
    /// `checkQueryName`: `value` is the parsed name.
    QueryNameCheck,
    QueryName
);

/// `toWebTemplate`: the web template of a valid OPT (`web_template`), or `null` and the
/// validator's diagnostics when the OPT is invalid (the core returns a `Result`; JS gets one shape).
#[derive(Debug, Clone, Serialize, Tsify)]
#[tsify(missing_as_null)]
pub struct WebTemplateResult {
    pub valid: bool,
    pub web_template: Option<WebTemplate>,
    pub diagnostics: Vec<Diagnostic>,
}

impl From<Result<WebTemplate, Vec<Diagnostic>>> for WebTemplateResult {
    fn from(result: Result<WebTemplate, Vec<Diagnostic>>) -> Self {
        match result {
            Ok(web_template) => {
                WebTemplateResult { valid: true, web_template: Some(web_template), diagnostics: Vec::new() }
            }
            Err(diagnostics) => WebTemplateResult { valid: false, web_template: None, diagnostics },
        }
    }
}

/// `validateAql`: whether the query is valid, the `$parameters` a client must pass (names
/// without `$`), every diagnostic, and the query in canonical form (`null` after a syntax error).
#[derive(Debug, Clone, Serialize, Tsify)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct AqlCheck {
    pub valid: bool,
    pub parameters: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    pub canonical: Option<String>,
}

/// `parseAql`: `AqlCheck` plus the syntax tree (`null` after a syntax error).
#[derive(Debug, Clone, Serialize, Tsify)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct AqlParse {
    pub valid: bool,
    pub query: Option<Query>,
    pub parameters: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    pub canonical: Option<String>,
}

impl From<AqlReport> for AqlParse {
    fn from(report: AqlReport) -> Self {
        let valid = report.is_valid();
        let AqlReport { query, parameters, diagnostics } = report;
        let canonical = query.as_ref().map(ToString::to_string);
        AqlParse { valid, query, parameters, diagnostics, canonical }
    }
}

impl From<AqlReport> for AqlCheck {
    fn from(report: AqlReport) -> Self {
        let AqlParse { valid, parameters, diagnostics, canonical, .. } = report.into();
        AqlCheck { valid, parameters, diagnostics, canonical }
    }
}

/// `exampleComposition`: an example composition of a valid OPT, as the text of the chosen format
/// (FLAT or STRUCTURED JSON, canonical RM JSON, RM XML); `null` and the validator's diagnostics
/// when the OPT is invalid.
#[derive(Debug, Clone, Serialize, Tsify)]
#[tsify(missing_as_null)]
pub struct ExampleResult {
    pub valid: bool,
    pub media_type: &'static str,
    pub example: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// `validateFlat`: the composition's diagnostics (positioned in its JSON text), or, when the OPT
/// cannot be used, the OPT's in `template_diagnostics` (positioned in the OPT). `valid` is false
/// when either holds an error.
#[derive(Debug, Clone, Serialize, Tsify)]
#[tsify(missing_as_null)]
pub struct FlatCheck {
    pub valid: bool,
    pub diagnostics: Vec<Diagnostic>,
    pub template_diagnostics: Vec<Diagnostic>,
}

impl FlatCheck {
    pub fn unusable_template(template_diagnostics: Vec<Diagnostic>) -> Self {
        FlatCheck { valid: false, diagnostics: Vec::new(), template_diagnostics }
    }
}

impl From<FlatReport> for FlatCheck {
    fn from(report: FlatReport) -> Self {
        FlatCheck { valid: report.valid, diagnostics: report.diagnostics, template_diagnostics: Vec::new() }
    }
}

/// `flatToStructured` / `structuredToFlat`: the converted composition as JSON text, or `null`
/// and the diagnostics of the input (or, for `structuredToFlat`, of an OPT that cannot be used,
/// in `template_diagnostics`).
#[derive(Debug, Clone, Serialize, Tsify)]
#[tsify(missing_as_null)]
pub struct ConversionResult {
    pub valid: bool,
    pub composition: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
    pub template_diagnostics: Vec<Diagnostic>,
}

impl ConversionResult {
    pub fn unusable_template(template_diagnostics: Vec<Diagnostic>) -> Self {
        ConversionResult { valid: false, composition: None, diagnostics: Vec::new(), template_diagnostics }
    }
}

impl From<Result<String, Vec<Diagnostic>>> for ConversionResult {
    fn from(result: Result<String, Vec<Diagnostic>>) -> Self {
        match result {
            Ok(composition) => ConversionResult {
                valid: true,
                composition: Some(composition),
                diagnostics: Vec::new(),
                template_diagnostics: Vec::new(),
            },
            Err(diagnostics) => {
                ConversionResult { valid: false, composition: None, diagnostics, template_diagnostics: Vec::new() }
            }
        }
    }
}
