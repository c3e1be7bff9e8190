//! Finding the sections of the first artefact and checking their presence and order.
//!
//! A section starts with its keyword alone on a line at column 1 (a trailing `--` comment is
//! allowed), outside any string; any other lone lower-case word there is an unknown section. Section bodies are not parsed here; strings are tracked only
//! so that a multi-line description text cannot fake a section keyword.

use super::ArtefactKind;
use super::lex::{char_literal_end, skip_trivia, word_at};
use crate::diagnostic::Code;
use crate::sink::Sink;

/// The ADL 2 sections after the id line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SectionKind {
    Specialize,
    Language,
    Description,
    Definition,
    Rules,
    RmOverlay,
    Terminology,
    Annotations,
    ComponentTerminologies,
    /// A lone lower-case word at column 1 that ADL 2 does not define: reported as `ADL020`,
    /// and it ends the section before it.
    Unknown,
}

impl SectionKind {
    /// The section a keyword line opens (`specialise` is the British spelling of `specialize`).
    pub(super) fn from_line(line: &str) -> Option<Self> {
        let line = line.split("--").next().unwrap_or("").trim_end();
        Some(match line {
            "specialize" | "specialise" => SectionKind::Specialize,
            "language" => SectionKind::Language,
            "description" => SectionKind::Description,
            "definition" => SectionKind::Definition,
            "rules" => SectionKind::Rules,
            "rm_overlay" => SectionKind::RmOverlay,
            "terminology" => SectionKind::Terminology,
            "annotations" => SectionKind::Annotations,
            "component_terminologies" => SectionKind::ComponentTerminologies,
            word if !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') => {
                SectionKind::Unknown
            }
            _ => return None,
        })
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            SectionKind::Specialize => "specialize",
            SectionKind::Language => "language",
            SectionKind::Description => "description",
            SectionKind::Definition => "definition",
            SectionKind::Rules => "rules",
            SectionKind::RmOverlay => "rm_overlay",
            SectionKind::Terminology => "terminology",
            SectionKind::Annotations => "annotations",
            SectionKind::ComponentTerminologies => "component_terminologies",
            SectionKind::Unknown => "unknown",
        }
    }

    /// The diagnostic path of the section, e.g. `/language`.
    pub(super) fn path(self) -> String {
        format!("/{}", self.name())
    }

    /// The position in the ADL 2 grammar's order. `rm_overlay` has none: grammar versions
    /// disagree on where it goes, so only its duplication is checked.
    fn rank(self) -> Option<u8> {
        match self {
            SectionKind::Specialize => Some(0),
            SectionKind::Language => Some(1),
            SectionKind::Description => Some(2),
            SectionKind::Definition => Some(3),
            SectionKind::Rules => Some(4),
            SectionKind::RmOverlay | SectionKind::Unknown => None,
            SectionKind::Terminology => Some(5),
            SectionKind::Annotations => Some(6),
            SectionKind::ComponentTerminologies => Some(7),
        }
    }

    /// Sections every artefact of `kind` must have.
    fn required_for(kind: ArtefactKind) -> &'static [SectionKind] {
        match kind {
            ArtefactKind::TemplateOverlay => {
                &[SectionKind::Specialize, SectionKind::Definition, SectionKind::Terminology]
            }
            ArtefactKind::Template => &[
                SectionKind::Specialize,
                SectionKind::Language,
                SectionKind::Description,
                SectionKind::Definition,
                SectionKind::Terminology,
            ],
            ArtefactKind::Archetype | ArtefactKind::OperationalTemplate => {
                &[SectionKind::Language, SectionKind::Description, SectionKind::Definition, SectionKind::Terminology]
            }
        }
    }
}

/// One section: where its keyword is and the byte range of its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Section {
    pub(super) kind: SectionKind,
    pub(super) keyword_at: usize,
    pub(super) body: std::ops::Range<usize>,
}

/// The sections from `from` to the end of the first artefact: the end of the text, or a line
/// of dashes followed by another artefact (a `template_overlay` in a template file).
pub(super) fn scan_sections(text: &str, from: usize) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let mut in_string = false;
    let mut pos = from;
    let mut end = text.len();
    let mut at_line_start = from == 0 || text[..from].ends_with('\n');
    while pos < text.len() {
        let eol = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let next = (eol + 1).min(text.len());
        let line = &text[pos..eol];
        if !in_string && at_line_start {
            if let Some(kind) = SectionKind::from_line(line) {
                if let Some(last) = sections.last_mut() {
                    last.body.end = pos;
                }
                sections.push(Section { kind, keyword_at: pos, body: next..text.len() });
            } else if is_separator(line) && starts_artefact(text, next) {
                end = pos;
                break;
            }
        }
        in_string = scan_line(text, pos, eol, in_string);
        at_line_start = true;
        pos = next.max(pos + 1);
    }
    if let Some(last) = sections.last_mut() {
        last.body.end = end;
    }
    sections
}

/// A line of three or more dashes and nothing else.
fn is_separator(line: &str) -> bool {
    let line = line.trim_end();
    line.len() >= 3 && line.bytes().all(|b| b == b'-')
}

fn starts_artefact(text: &str, pos: usize) -> bool {
    let at = skip_trivia(text, pos);
    matches!(word_at(text, at), "archetype" | "template" | "template_overlay" | "operational_template")
}

/// Whether a string is still open at the end of `text[start..end]`, given whether one was open
/// at its start. `--` outside a string comments out the rest of the line.
fn scan_line(text: &str, start: usize, end: usize, mut in_string: bool) -> bool {
    let bytes = text.as_bytes();
    let mut i = start;
    while i < end {
        if in_string {
            match bytes[i] {
                b'\\' => i += 2,
                b'"' => {
                    in_string = false;
                    i += 1;
                }
                _ => i += 1,
            }
        } else {
            match bytes[i] {
                b'-' if bytes.get(i + 1) == Some(&b'-') => return false,
                b'"' => {
                    in_string = true;
                    i += 1;
                }
                b'\'' => i = char_literal_end(text, i).filter(|&e| e <= end).unwrap_or(i + 1),
                _ => i += 1,
            }
        }
    }
    in_string
}

/// Reports unknown, duplicated, out-of-order and missing sections of an artefact of `kind`.
pub(super) fn check_sections(
    text: &str,
    kind: ArtefactKind,
    sections: &[Section],
    keyword_at: usize,
    sink: &mut Sink<'_>,
) {
    let mut highest: Option<(u8, SectionKind)> = None;
    for (i, section) in sections.iter().enumerate() {
        let name = section.kind.name();
        if section.kind == SectionKind::Unknown {
            let word = word_at(text, section.keyword_at);
            let message = format!("`{word}` is not an ADL 2 section: ignored");
            sink.report(Code::AdlUnknown, message, section.keyword_at, &format!("/{word}"));
            continue;
        }
        if sections[..i].iter().any(|s| s.kind == section.kind) {
            sink.report(
                Code::AdlSectionOrder,
                format!("the section `{name}` appears twice"),
                section.keyword_at,
                &section.kind.path(),
            );
            continue;
        }
        let Some(rank) = section.kind.rank() else { continue };
        match highest {
            Some((top, before)) if rank < top => {
                let message = format!("the section `{name}` must come before `{}`", before.name());
                sink.report(Code::AdlSectionOrder, message, section.keyword_at, &section.kind.path());
            }
            _ => highest = Some((rank, section.kind)),
        }
    }
    for &required in SectionKind::required_for(kind) {
        if sections.iter().any(|s| s.kind == required) {
            continue;
        }
        let (code, message) = if required == SectionKind::Specialize {
            (Code::AdlMissingParent, "a template or template overlay must `specialize` a parent".to_string())
        } else {
            (Code::AdlMissingSection, format!("the mandatory section `{}` is missing", required.name()))
        };
        sink.report(code, message, keyword_at, &required.path());
    }
}
