//! ADL 2 header parsing. PLACEHOLDER: signatures fixed, bodies to be written.

use crate::diagnostic::Diagnostic;
use crate::ident::ArchetypeHrid;
use std::collections::BTreeMap;

/// The four ADL 2 artefact kinds, by their opening keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ArtefactKind {
    Archetype,
    Template,
    TemplateOverlay,
    OperationalTemplate,
}

/// What the header of an ADL 2 artefact says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Adl2Header {
    pub artefact_kind: Option<ArtefactKind>,
    /// The artefact id exactly as written.
    pub id: Option<String>,
    pub hrid: Option<ArchetypeHrid>,
    pub adl_version: Option<String>,
    pub rm_release: Option<String>,
    pub generated: bool,
    pub is_controlled: bool,
    pub uid: Option<String>,
    pub build_uid: Option<String>,
    /// The `specialize` parent id, as written.
    pub parent: Option<String>,
    pub original_language: Option<String>,
    /// Languages of the `translations` block.
    pub translations: Vec<String>,
    pub lifecycle_state: Option<String>,
    pub original_author: BTreeMap<String, String>,
}

/// The header and every diagnostic found while reading it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Adl2Report {
    pub header: Adl2Header,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses the header of an ADL 2 text.
pub fn parse_adl2_header(text: &str) -> Adl2Report {
    let _ = text;
    Adl2Report::default()
}
