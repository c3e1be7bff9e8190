//! Identifier rules of the Definitions API. PLACEHOLDER: signatures fixed, bodies to be written.

use crate::diagnostic::Diagnostic;

/// Longest accepted ADL 1.4 `template_id`, in bytes.
pub const TEMPLATE_ID_MAX_LEN: usize = 255;

/// Checks an ADL 1.4 `template_id` (free text naming a template, e.g. `Stationärer Versorgungsfall`).
pub fn check_template_id(id: &str) -> Result<(), Diagnostic> {
    let _ = id;
    Ok(())
}

/// Checks an ADL 1.4 archetype id: `openEHR-EHR-OBSERVATION.blood_pressure.v1`.
pub fn check_archetype_id_14(id: &str) -> Result<(), Diagnostic> {
    let _ = id;
    Ok(())
}

/// An ADL 2 archetype HRID: `[namespace::]publisher-package-CLASS.concept.vN.N.N[-pre]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ArchetypeHrid {
    pub namespace: Option<String>,
    pub rm_publisher: String,
    pub rm_package: String,
    pub rm_class: String,
    pub concept: String,
    /// The version as written after `v` (`1.0.0`, `1.0.0-rc.1`, or partial `1` / `1.0` in references).
    pub version: String,
}

impl ArchetypeHrid {
    /// Parses a full HRID (complete `vN.N.N[-pre]` version).
    pub fn parse(s: &str) -> Result<Self, Diagnostic> {
        Err(crate::Diagnostic::new(crate::Code::IdMalformed, format!("not implemented: {s}"), 1, 1, ""))
    }
}

/// A stored query's `qualified_query_name`: `[{namespace}::]{query-name}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QueryName {
    pub namespace: Option<String>,
    pub name: String,
}

impl QueryName {
    pub fn parse(s: &str) -> Result<Self, Diagnostic> {
        Err(crate::Diagnostic::new(crate::Code::IdMalformed, format!("not implemented: {s}"), 1, 1, ""))
    }
}
