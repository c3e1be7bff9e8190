//! One quick-xml pass over an (already validated) OPT into a small element tree that borrows
//! names and text from the input. The typed model is read from this tree; keeping the XML walk
//! separate keeps the model code free of events.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::opt::MAX_DEPTH;

/// One element: local name, `xsi:type` local part, its attributes, its text as written.
#[derive(Debug, Default)]
pub(crate) struct El<'a> {
    pub(crate) name: &'a str,
    pub(crate) xsi_type: Option<&'a str>,
    pub(crate) attrs: Vec<(&'a str, Cow<'a, str>)>,
    /// Text content (whitespace between child elements is dropped).
    pub(crate) text: Cow<'a, str>,
    pub(crate) children: Vec<El<'a>>,
}

impl<'a> El<'a> {
    pub(crate) fn child(&self, name: &str) -> Option<&El<'a>> {
        self.children.iter().find(|c| c.name == name)
    }

    pub(crate) fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s El<'a>> + 's {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Trimmed text of the first child `name`.
    pub(crate) fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }

    /// Trimmed text of a nested path of children, e.g. `["terminology_id", "value"]`.
    pub(crate) fn text_at(&self, path: &[&str]) -> Option<&str> {
        let mut el = self;
        for step in path {
            el = el.child(step)?;
        }
        Some(el.text.trim())
    }

    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_ref())
    }
}

fn push_text<'a>(el: &mut El<'a>, piece: Cow<'a, str>) {
    if !el.children.is_empty() {
        return;
    }
    if el.text.is_empty() {
        el.text = piece;
    } else {
        el.text.to_mut().push_str(&piece);
    }
}

/// Parses `text` into its root element. Errors only on malformed input or the depth limit (the
/// validator reports those first; this is the belt to its braces).
pub(crate) fn parse(text: &str) -> Result<El<'_>, String> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().expand_empty_elements = false;
    let mut stack: Vec<El<'_>> = Vec::new();
    let mut root: Option<El<'_>> = None;
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err("nested too deep".to_owned());
                }
                stack.push(element(&start, text));
            }
            Event::Empty(start) => {
                let el = element(&start, text);
                close(&mut stack, &mut root, el);
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else { return Err("unbalanced end tag".to_owned()) };
                close(&mut stack, &mut root, el);
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    push_text(top, t.into_inner());
                }
            }
            Event::CData(d) => {
                if let Some(top) = stack.last_mut() {
                    let content: &str = &d;
                    push_text(top, Cow::Owned(content.to_owned()));
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    if let Ok(Some(ch)) = r.resolve_char_ref() {
                        push_text(top, Cow::Owned(ch.to_string()));
                    } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                        push_text(top, Cow::Borrowed(s));
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    root.ok_or_else(|| "no root element".to_owned())
}

fn close<'a>(stack: &mut [El<'a>], root: &mut Option<El<'a>>, el: El<'a>) {
    match stack.last_mut() {
        Some(parent) => {
            if parent.children.is_empty() {
                // Whitespace before the first child is not content.
                parent.text = Cow::Borrowed("");
            }
            parent.children.push(el);
        }
        None => *root = Some(el),
    }
}

/// `s` re-borrowed from `text` when it points into it (quick-xml borrows from its input).
fn reborrow<'a>(s: &str, text: &'a str) -> Option<&'a str> {
    let base = text.as_ptr() as usize;
    let at = (s.as_ptr() as usize).checked_sub(base)?;
    text.get(at..at + s.len())
}

fn element<'a>(start: &BytesStart<'_>, text: &'a str) -> El<'a> {
    let local = start.local_name();
    let name: &str = local.as_ref();
    let mut el = El { name: reborrow(name, text).unwrap_or("?"), ..El::default() };
    if start.attributes_raw().trim_ascii_end().is_empty() {
        return el;
    }
    for attr in start.attributes().flatten() {
        let key: &str = attr.key.0;
        let Some(key) = reborrow(key, text) else { continue };
        if key.ends_with(":type") {
            let value: &str = &attr.value;
            el.xsi_type = reborrow(value, text).map(|v| v.rsplit(':').next().unwrap_or(v));
        } else if !key.starts_with("xmlns") {
            let local = key.rsplit(':').next().unwrap_or(key);
            let value = match quick_xml::escape::unescape(&attr.value) {
                Ok(Cow::Borrowed(_)) | Err(_) => match &attr.value {
                    Cow::Borrowed(b) => reborrow(b, text).map_or_else(|| Cow::Owned((*b).to_owned()), Cow::Borrowed),
                    Cow::Owned(o) => Cow::Owned(o.clone()),
                },
                Ok(Cow::Owned(o)) => Cow::Owned(o),
            };
            el.attrs.push((local, value));
        }
    }
    el
}
