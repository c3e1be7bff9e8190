//! JS-side mirrors of the core's report types. They exist only so tsify can generate the
//! TypeScript declarations without the core gaining a wasm dependency; each serializes to exactly
//! what the core's own serde output is (same field names, same strings), which the node test
//! suite checks against the native CLI. The `From` impls destructure exhaustively, so a field
//! added to the core breaks the build here instead of silently vanishing from JS.

use openehr_definitions as core;
use serde::Serialize;
use std::collections::BTreeMap;
use tsify::Tsify;

/// One finding about an input. `code` is the core's stable code string, e.g. `"OPT010"`;
/// `line` and `column` are 1-based (columns count Unicode scalar values).
#[derive(Debug, Clone, Serialize, Tsify)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct Diagnostic {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub line: u32,
    pub column: u32,
    pub path: String,
}

/// Only errors make an artefact invalid.
#[derive(Debug, Clone, Copy, Serialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// The artefact kind, decided from the content.
#[derive(Debug, Clone, Copy, Serialize, Tsify)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Opt14,
    Adl2,
    Aql,
    Unknown,
}

/// The result of `validate`: the same object the CLI's `check --json` prints per file (minus `path`).
#[derive(Debug, Clone, Serialize, Tsify)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct Report {
    pub kind: Kind,
    /// True when no diagnostic is an error.
    pub valid: bool,
    /// `null` only when `kind` is `"unknown"`.
    pub metadata: Option<Metadata>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The metadata of whichever kind was found.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(untagged)]
pub enum Metadata {
    Opt14(OptMetadata),
    Adl2(Adl2Header),
    Aql(AqlMetadata),
}

/// What the report says about an AQL query: the `$parameters` it uses (names without `$`).
#[derive(Debug, Clone, Serialize, Tsify)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct AqlMetadata {
    pub parameters: Vec<String>,
}

/// What an OPT 1.4 says about itself.
#[derive(Debug, Clone, Serialize, Tsify)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct OptMetadata {
    pub template_id: Option<String>,
    pub concept: Option<String>,
    pub uid: Option<String>,
    pub archetype_id: Option<String>,
    pub rm_type_name: Option<String>,
    pub language: Option<String>,
    pub translations: Vec<String>,
    pub lifecycle_state: Option<String>,
    pub original_author: BTreeMap<String, String>,
    pub purpose: Option<String>,
    pub archetypes: Vec<String>,
}

/// The result of `validateOpt` and `parseOptMetadata`.
#[derive(Debug, Clone, Serialize, Tsify)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct OptReport {
    pub metadata: OptMetadata,
    pub diagnostics: Vec<Diagnostic>,
}

/// The ADL 2 artefact kind, by its opening keyword.
#[derive(Debug, Clone, Copy, Serialize, Tsify)]
#[serde(rename_all = "snake_case")]
pub enum ArtefactKind {
    Archetype,
    Template,
    TemplateOverlay,
    OperationalTemplate,
}

/// A parsed ADL 2 archetype HRID.
#[derive(Debug, Clone, Serialize, Tsify)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct ArchetypeHrid {
    pub namespace: Option<String>,
    pub rm_publisher: String,
    pub rm_package: String,
    pub rm_class: String,
    pub concept: String,
    pub version: String,
}

/// What the header of an ADL 2 artefact says.
#[derive(Debug, Clone, Serialize, Tsify)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct Adl2Header {
    pub artefact_kind: Option<ArtefactKind>,
    pub id: Option<String>,
    pub hrid: Option<ArchetypeHrid>,
    pub adl_version: Option<String>,
    pub rm_release: Option<String>,
    pub generated: bool,
    pub is_controlled: bool,
    pub uid: Option<String>,
    pub build_uid: Option<String>,
    pub parent: Option<String>,
    pub original_language: Option<String>,
    pub translations: Vec<String>,
    pub lifecycle_state: Option<String>,
    pub original_author: BTreeMap<String, String>,
}

/// The result of `parseAdl2Header`.
#[derive(Debug, Clone, Serialize, Tsify)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct Adl2Report {
    pub header: Adl2Header,
    pub diagnostics: Vec<Diagnostic>,
}

/// A parsed stored-query name `[namespace::]name`.
#[derive(Debug, Clone, Serialize, Tsify)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct QueryName {
    pub namespace: Option<String>,
    pub name: String,
}

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
            pub fn from_result<U, F: FnOnce(U) -> Option<$value>>(result: Result<U, core::Diagnostic>, f: F) -> Self {
                match result {
                    Ok(value) => $name { valid: true, value: f(value), diagnostic: None },
                    Err(diagnostic) => $name { valid: false, value: None, diagnostic: Some(diagnostic.into()) },
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

impl From<core::Diagnostic> for Diagnostic {
    fn from(d: core::Diagnostic) -> Self {
        let core::Diagnostic { code, severity, message, line, column, path } = d;
        Diagnostic { code: code.as_str().to_owned(), severity: severity.into(), message, line, column, path }
    }
}

impl From<core::Severity> for Severity {
    fn from(s: core::Severity) -> Self {
        match s {
            core::Severity::Error => Severity::Error,
            core::Severity::Warning => Severity::Warning,
        }
    }
}

impl From<core::Kind> for Kind {
    fn from(k: core::Kind) -> Self {
        match k {
            core::Kind::Opt14 => Kind::Opt14,
            core::Kind::Adl2 => Kind::Adl2,
            core::Kind::Aql => Kind::Aql,
            core::Kind::Unknown => Kind::Unknown,
        }
    }
}

impl From<core::Report> for Report {
    fn from(r: core::Report) -> Self {
        let core::Report { kind, valid, metadata, diagnostics } = r;
        Report { kind: kind.into(), valid, metadata: metadata.map(Into::into), diagnostics: convert_all(diagnostics) }
    }
}

impl From<core::Metadata> for Metadata {
    fn from(m: core::Metadata) -> Self {
        match m {
            core::Metadata::Opt14(opt) => Metadata::Opt14(opt.into()),
            core::Metadata::Adl2(header) => Metadata::Adl2(header.into()),
            core::Metadata::Aql(aql) => Metadata::Aql(AqlMetadata { parameters: aql.parameters }),
        }
    }
}

impl From<core::OptMetadata> for OptMetadata {
    fn from(m: core::OptMetadata) -> Self {
        let core::OptMetadata {
            template_id,
            concept,
            uid,
            archetype_id,
            rm_type_name,
            language,
            translations,
            lifecycle_state,
            original_author,
            purpose,
            archetypes,
        } = m;
        OptMetadata {
            template_id,
            concept,
            uid,
            archetype_id,
            rm_type_name,
            language,
            translations,
            lifecycle_state,
            original_author,
            purpose,
            archetypes,
        }
    }
}

impl From<core::OptReport> for OptReport {
    fn from(r: core::OptReport) -> Self {
        let core::OptReport { metadata, diagnostics } = r;
        OptReport { metadata: metadata.into(), diagnostics: convert_all(diagnostics) }
    }
}

impl From<core::ArtefactKind> for ArtefactKind {
    fn from(k: core::ArtefactKind) -> Self {
        match k {
            core::ArtefactKind::Archetype => ArtefactKind::Archetype,
            core::ArtefactKind::Template => ArtefactKind::Template,
            core::ArtefactKind::TemplateOverlay => ArtefactKind::TemplateOverlay,
            core::ArtefactKind::OperationalTemplate => ArtefactKind::OperationalTemplate,
        }
    }
}

impl From<core::ArchetypeHrid> for ArchetypeHrid {
    fn from(h: core::ArchetypeHrid) -> Self {
        let core::ArchetypeHrid { namespace, rm_publisher, rm_package, rm_class, concept, version } = h;
        ArchetypeHrid { namespace, rm_publisher, rm_package, rm_class, concept, version }
    }
}

impl From<core::Adl2Header> for Adl2Header {
    fn from(h: core::Adl2Header) -> Self {
        let core::Adl2Header {
            artefact_kind,
            id,
            hrid,
            adl_version,
            rm_release,
            generated,
            is_controlled,
            uid,
            build_uid,
            parent,
            original_language,
            translations,
            lifecycle_state,
            original_author,
        } = h;
        Adl2Header {
            artefact_kind: artefact_kind.map(Into::into),
            id,
            hrid: hrid.map(Into::into),
            adl_version,
            rm_release,
            generated,
            is_controlled,
            uid,
            build_uid,
            parent,
            original_language,
            translations,
            lifecycle_state,
            original_author,
        }
    }
}

impl From<core::Adl2Report> for Adl2Report {
    fn from(r: core::Adl2Report) -> Self {
        let core::Adl2Report { header, diagnostics } = r;
        Adl2Report { header: header.into(), diagnostics: convert_all(diagnostics) }
    }
}

impl From<core::QueryName> for QueryName {
    fn from(q: core::QueryName) -> Self {
        let core::QueryName { namespace, name } = q;
        QueryName { namespace, name }
    }
}

fn convert_all(diagnostics: Vec<core::Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.into_iter().map(Into::into).collect()
}

/// The result of `validateAql`: whether the query is valid, the `$parameters` a client must pass
/// (names without `$`), every diagnostic, and the query in canonical form (`null` after a syntax error).
#[derive(Debug, Clone, Serialize, Tsify)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct AqlCheck {
    pub valid: bool,
    pub parameters: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    pub canonical: Option<String>,
}

/// The result of `parseAql`: `AqlCheck` plus the syntax tree (`null` after a syntax error), in
/// the core's serde form (see the `AqlQuery` declaration).
#[derive(Debug, Clone, Serialize, Tsify)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct AqlParse {
    pub valid: bool,
    #[tsify(type = "AqlQuery | null")]
    pub query: Option<core::aql::Query>,
    pub parameters: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    pub canonical: Option<String>,
}

impl From<core::AqlReport> for AqlParse {
    fn from(r: core::AqlReport) -> Self {
        let valid = r.is_valid();
        let core::AqlReport { query, parameters, diagnostics } = r;
        let canonical = query.as_ref().map(ToString::to_string);
        AqlParse { valid, query, parameters, diagnostics: convert_all(diagnostics), canonical }
    }
}

impl From<core::AqlReport> for AqlCheck {
    fn from(r: core::AqlReport) -> Self {
        let AqlParse { valid, parameters, diagnostics, canonical, .. } = r.into();
        AqlCheck { valid, parameters, diagnostics, canonical }
    }
}
