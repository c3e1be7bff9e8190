//! ADL 2 header parsing: what an archetype, template, template overlay or operational
//! template says about itself, read without parsing its definition.
//!
//! The reader takes the first artefact of the text (an `.adlt` or template `.adls` may append
//! `template_overlay`s after a line of dashes: they are not read). It reads:
//!
//! - the keyword (`ADL001` when there is none) and the `(key=value; flag; ...)` meta-data list
//!   (`ADL002` when malformed, `ADL020` warning for an unknown item, `ADL004` when
//!   `adl_version` or `rm_release` is missing; overlays carry no meta-data);
//! - the id on the next line (`ADL003` when missing or not a full HRID, positioned at the bad
//!   character);
//! - the `specialize` parent, which may have a partial version (`ADL006`); templates and
//!   overlays must have one (`ADL009`);
//! - `original_language` and `translations` from `language`, `lifecycle_state` and
//!   `original_author` from `description`, with a small ODIN reader (`ADL007`);
//! - the presence and order of all sections (`ADL005`, `ADL008`): `language` and
//!   `description` are mandatory except in overlays, `definition` and `terminology` always.
//!   Sections after `definition` are located, never parsed.
//!
//! Every diagnostic is positioned at a 1-based line and character column; its `path` is the
//! section (`/language`) or `""` for the header lines.

mod header;
mod lex;
mod odin;
mod resource;
mod sections;

use crate::diagnostic::{Code, Diagnostic};
use crate::ident::ArchetypeHrid;
use crate::sink::Sink;
use lex::{char_offset, skip_trivia, token_at};
use sections::{Section, SectionKind, check_sections, scan_sections};
use std::collections::BTreeMap;

/// The four ADL 2 artefact kinds, by their opening keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null, hashmap_as_object))]
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
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null, hashmap_as_object))]
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
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null, hashmap_as_object))]
pub struct Adl2Report {
    pub header: Adl2Header,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses the header of an ADL 2 text (already decoded, without a BOM).
pub fn parse_adl2_header(text: &str) -> Adl2Report {
    let mut header = Adl2Header::default();
    let mut sink = Sink::new(text);
    if let Some((keyword_at, sections_at)) = header::read_header(text, &mut header, &mut sink) {
        let sections = scan_sections(text, sections_at);
        if let Some(kind) = header.artefact_kind {
            check_sections(text, kind, &sections, keyword_at, &mut sink);
        }
        for section in &sections {
            read_section(text, section, &mut header, &mut sink);
        }
    }
    Adl2Report { header, diagnostics: sink.into_sorted() }
}

/// Reads what the header reports from one section; other sections are skipped.
fn read_section(text: &str, section: &Section, header: &mut Adl2Header, sink: &mut Sink<'_>) {
    match section.kind {
        SectionKind::Specialize => read_parent(text, section, header, sink),
        SectionKind::Language | SectionKind::Description => {
            match odin::read_entries(text, section.body.start, section.body.end) {
                Ok(entries) if section.kind == SectionKind::Language => resource::read_language(&entries, header),
                Ok(entries) => resource::read_description(&entries, header),
                Err(e) => sink.report(Code::AdlOdin, e.message, e.offset, &section.kind.path()),
            }
        }
        _ => {}
    }
}

/// The parent id: the first token of the `specialize` section, version possibly partial.
fn read_parent(text: &str, section: &Section, header: &mut Adl2Header, sink: &mut Sink<'_>) {
    let path = section.kind.path();
    let at = skip_trivia(&text[..section.body.end], section.body.start);
    let token = token_at(&text[..section.body.end], at);
    if token.is_empty() {
        sink.report(Code::AdlInvalidParent, "`specialize` names no parent archetype", section.keyword_at, &path);
        return;
    }
    header.parent = Some(token.to_string());
    if let Err(d) = ArchetypeHrid::parse_reference(token) {
        let message = format!("the parent `{token}` is not a valid archetype reference: {}", d.message);
        sink.report(Code::AdlInvalidParent, message, at + char_offset(token, d.column), &path);
    }
}
