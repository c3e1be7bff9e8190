//! The artefact's first lines: keyword, `(key=value; ...)` meta-data list and id.

use std::collections::HashSet;

use super::lex::{char_offset, skip_trivia, token_at, word_at};
use super::sections::SectionKind;
use super::{Adl2Header, ArtefactKind};
use crate::diagnostic::Code;
use crate::ident::ArchetypeHrid;
use crate::sink::Sink;

/// Reads the keyword, meta-data and id into `header`. Returns the offset of the keyword and
/// the offset where the sections start, or `None` when the text is not ADL 2 at all.
pub(super) fn read_header(text: &str, header: &mut Adl2Header, sink: &mut Sink<'_>) -> Option<(usize, usize)> {
    let keyword_at = skip_trivia(text, 0);
    let word = word_at(text, keyword_at);
    let kind = match word {
        "archetype" => ArtefactKind::Archetype,
        "template" => ArtefactKind::Template,
        "template_overlay" => ArtefactKind::TemplateOverlay,
        "operational_template" => ArtefactKind::OperationalTemplate,
        _ => {
            let found = token_at(text, keyword_at);
            let found = if found.is_empty() { "nothing".to_string() } else { format!("`{found}`") };
            let message = format!(
                "expected `archetype`, `template`, `template_overlay` or `operational_template`, found {found}"
            );
            sink.report(Code::AdlNotAdl, message, keyword_at, "");
            return None;
        }
    };
    header.artefact_kind = Some(kind);
    let mut pos = skip_trivia(text, keyword_at + word.len());
    if text[pos..].starts_with('(') {
        pos = read_meta_data(text, pos, header, sink);
    }
    if kind != ArtefactKind::TemplateOverlay {
        for (key, value) in [("adl_version", &header.adl_version), ("rm_release", &header.rm_release)] {
            if value.is_none() {
                sink.report(Code::AdlMissingMetadata, format!("the header has no `{key}`"), keyword_at, "");
            }
        }
    }
    Some((keyword_at, read_id(text, pos, header, sink)))
}

/// Reads `(item; item ...)` starting at the `(`; returns the offset after the `)`.
fn read_meta_data(text: &str, open: usize, header: &mut Adl2Header, sink: &mut Sink<'_>) -> usize {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut pos = open + 1;
    loop {
        pos = skip_trivia(text, pos);
        let key = word_at(text, pos);
        let item = if key.is_empty() {
            Err((pos, "expected a meta-data item name".to_string()))
        } else {
            read_item(text, pos, key)
        };
        let (value, next) = match item {
            Ok(item) => item,
            Err((at, message)) => match recover(text, open, at, &message, sink) {
                Recovery::NextItem(next) => {
                    pos = next;
                    continue;
                }
                Recovery::Done(next) => return next,
            },
        };
        // `key junk`: only the terminator is reported; `key=value junk`: the value still counts.
        if value.is_some() || text[next..].starts_with([';', ')']) {
            if !seen.insert(key) {
                sink.report(Code::AdlMetadata, format!("the meta-data item `{key}` appears twice"), pos, "");
            }
            store_item(key, value, pos, header, sink);
        }
        pos = next;
        let message = match text[pos..].chars().next() {
            Some(';') => {
                pos += 1;
                continue;
            }
            Some(')') => return pos + 1,
            Some(c) => format!("expected `=`, `;` or `)` after the meta-data item `{key}`, found `{c}`"),
            None => "the meta-data list is not closed by `)`".to_string(),
        };
        match recover(text, open, pos, &message, sink) {
            Recovery::NextItem(next) => pos = next,
            Recovery::Done(next) => return next,
        }
    }
}

/// Reads `key[=value]` at `pos`: returns the value and the offset after it, or where and why
/// the value is missing.
fn read_item(text: &str, pos: usize, key: &str) -> Result<(Option<String>, usize), (usize, String)> {
    let mut pos = skip_trivia(text, pos + key.len());
    let mut value = None;
    if text[pos..].starts_with('=') {
        pos = skip_trivia(text, pos + 1);
        let rest = &text[pos..];
        let len = rest.find(|c: char| c.is_whitespace() || c == ';' || c == ')' || c == '(').unwrap_or(rest.len());
        if len == 0 {
            return Err((pos, format!("`{key}=` has no value")));
        }
        value = Some(rest[..len].to_string());
        pos = skip_trivia(text, pos + len);
    }
    Ok((value, pos))
}

enum Recovery {
    /// Go on with the item after this offset (after a `;`).
    NextItem(usize),
    /// The list is over; the id is read from this offset.
    Done(usize),
}

/// Reports `ADL002` at `pos`, then skips to the next `;` or `)` on the same line; without one,
/// gives up at the end of the line that opened the list, so the id on the next line is still read.
fn recover(text: &str, open: usize, pos: usize, message: &str, sink: &mut Sink<'_>) -> Recovery {
    sink.report(Code::AdlMetadata, message, pos, "");
    // One search that stops at the line's end: a recovery never rescans the rest of a long line.
    match text[pos..].find([';', ')', '\n']).map(|i| pos + i) {
        Some(at) if text[at..].starts_with(';') => Recovery::NextItem(at + 1),
        Some(at) if text[at..].starts_with(')') => Recovery::Done(at + 1),
        _ => Recovery::Done(text[open..].find('\n').map_or(text.len(), |i| open + i)),
    }
}

fn store_item(key: &str, value: Option<String>, at: usize, header: &mut Adl2Header, sink: &mut Sink<'_>) {
    match (key, value) {
        ("adl_version", Some(v)) => header.adl_version = Some(v),
        ("rm_release", Some(v)) => header.rm_release = Some(v),
        ("uid", Some(v)) => header.uid = Some(v),
        ("build_uid", Some(v)) => header.build_uid = Some(v),
        ("generated", None) => header.generated = true,
        ("controlled", None) => header.is_controlled = true,
        ("uncontrolled", None) => header.is_controlled = false,
        ("adl_version" | "rm_release" | "uid" | "build_uid", None) => {
            sink.report(Code::AdlMetadata, format!("the meta-data item `{key}` needs a value: `{key}=...`"), at, "");
        }
        ("generated" | "controlled" | "uncontrolled", Some(_)) => {
            sink.report(Code::AdlMetadata, format!("the meta-data item `{key}` takes no value"), at, "");
        }
        _ => sink.report(Code::AdlUnknown, format!("unknown meta-data item `{key}`: ignored"), at, ""),
    }
}

/// Reads the artefact id at the next significant character; returns the offset after it.
fn read_id(text: &str, pos: usize, header: &mut Adl2Header, sink: &mut Sink<'_>) -> usize {
    let at = skip_trivia(text, pos);
    let token = token_at(text, at);
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    if token.is_empty()
        || (at == line_start && SectionKind::from_line(token).is_some_and(|k| k != SectionKind::Unknown))
    {
        sink.report(Code::AdlInvalidId, "the artefact id is missing after the header", at, "");
        return at;
    }
    header.id = Some(token.to_string());
    match ArchetypeHrid::parse(token) {
        Ok(hrid) => header.hrid = Some(hrid),
        Err(d) => {
            let message = format!("`{token}` is not a valid ADL 2 archetype id: {}", d.message);
            sink.report(Code::AdlInvalidId, message, at + char_offset(token, d.column), "");
        }
    }
    at + token.len()
}
