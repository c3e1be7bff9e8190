//! One quick-xml pass over an (already validated) OPT into a small owned element tree. The typed
//! model is read from this tree; keeping the XML walk separate keeps the model code free of events.

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::opt::MAX_DEPTH;

/// One element: local name, `xsi:type` local part, its attributes, its text as written.
#[derive(Debug, Default)]
pub(crate) struct El {
    pub(crate) name: String,
    pub(crate) xsi_type: Option<String>,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) text: String,
    pub(crate) children: Vec<El>,
}

impl El {
    pub(crate) fn child(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }

    pub(crate) fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s El> + 's {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Trimmed text of the first child `name`.
    pub(crate) fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }

    /// Text of a nested path of children, e.g. `["terminology_id", "value"]`.
    pub(crate) fn text_at(&self, path: &[&str]) -> Option<&str> {
        let mut el = self;
        for step in path {
            el = el.child(step)?;
        }
        Some(el.text.trim())
    }

    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Parses `text` into its root element. Errors only on malformed input or the depth limit (the
/// validator reports those first; this is the belt to its braces).
pub(crate) fn parse(text: &str) -> Result<El, String> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().expand_empty_elements = false;
    let mut stack: Vec<El> = Vec::new();
    let mut root: Option<El> = None;
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err("nested too deep".to_owned());
                }
                stack.push(element(&start));
            }
            Event::Empty(start) => {
                let el = element(&start);
                close(&mut stack, &mut root, el);
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else { return Err("unbalanced end tag".to_owned()) };
                close(&mut stack, &mut root, el);
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.into_inner());
                }
            }
            Event::CData(d) => {
                if let Some(top) = stack.last_mut() {
                    let content: &str = &d;
                    top.text.push_str(content);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    if let Ok(Some(ch)) = r.resolve_char_ref() {
                        top.text.push(ch);
                    } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                        top.text.push_str(s);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    root.ok_or_else(|| "no root element".to_owned())
}

fn close(stack: &mut [El], root: &mut Option<El>, el: El) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

fn element(start: &BytesStart<'_>) -> El {
    let local = start.local_name();
    let name: &str = local.as_ref();
    let name = name.to_owned();
    let mut el = El { name, ..El::default() };
    for attr in start.attributes().flatten() {
        let key: &str = attr.key.0;
        let value =
            quick_xml::escape::unescape(&attr.value).map_or_else(|_| attr.value.to_string(), |v| v.into_owned());
        if key.ends_with(":type") {
            let local = value.rsplit(':').next().unwrap_or_default().to_owned();
            el.xsi_type = Some(local);
        } else if !key.starts_with("xmlns") {
            let local = key.rsplit(':').next().unwrap_or(key);
            el.attrs.push((local.to_owned(), value));
        }
    }
    el
}
