//! ADL 1.4 operational templates (OPT XML): metadata and validation in one streaming pass.

mod namespaces;
mod path;
mod schema;
mod validator;

use crate::diagnostic::Diagnostic;
use std::collections::BTreeMap;

/// Largest accepted OPT, in bytes (the largest real OPT we know of is about 2 MB).
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;
/// Deepest accepted element nesting (real OPTs stay below 100).
pub const MAX_DEPTH: usize = 512;

/// What an OPT says about itself: what the Definitions list/get calls and modelling tools show.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null, hashmap_as_object))]
pub struct OptMetadata {
    pub template_id: Option<String>,
    pub concept: Option<String>,
    pub uid: Option<String>,
    /// The root archetype (`definition/archetype_id/value`).
    pub archetype_id: Option<String>,
    /// The root RM type (`definition/rm_type_name`), e.g. `COMPOSITION`.
    pub rm_type_name: Option<String>,
    /// The template's language (`language/code_string`), its original language.
    pub language: Option<String>,
    /// Other languages the description is given in (`description/details/language`).
    pub translations: Vec<String>,
    pub lifecycle_state: Option<String>,
    /// `description/original_author` entries by their `id` attribute.
    pub original_author: BTreeMap<String, String>,
    /// `description/details/purpose` in the template's language (else the first given).
    pub purpose: Option<String>,
    /// Every archetype used, once each: the root first, then nested `C_ARCHETYPE_ROOT`s in the order
    /// their definitions close. Filled by full validation only; metadata-only parsing lists the root.
    pub archetypes: Vec<String>,
}

/// Metadata plus every diagnostic, in document order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null, hashmap_as_object))]
pub struct OptReport {
    pub metadata: OptMetadata,
    pub diagnostics: Vec<Diagnostic>,
}

impl OptReport {
    /// Valid when no diagnostic is an error (warnings allowed).
    pub fn is_valid(&self) -> bool {
        !self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Validates an OPT and reads its metadata, reporting every problem found in one pass.
pub fn validate_opt(input: &[u8]) -> OptReport {
    validator::run(input, validator::Depth::Full)
}

/// Reads only the metadata (and the errors that prevent reading it): skips the per-node checks.
pub fn parse_opt_metadata(input: &[u8]) -> OptReport {
    validator::run(input, validator::Depth::MetadataOnly)
}
