//! Reading fixtures and deriving expectations from their content, independently of the core.

use std::path::{Path, PathBuf};

/// Sorted `(path, bytes)` of every file in `dir`.
pub fn read_dir(dir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| std::fs::read(&p).map(|bytes| (p.clone(), bytes)).map_err(|e| format!("{}: {e}", p.display())))
        .collect()
}

pub fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The first `<{element}>…<value>TEXT</value>` of an OPT, unescaped (`template_id`).
pub fn element_value(xml: &str, element: &str) -> Option<String> {
    let start = xml.find(&format!("<{element}>"))?;
    let rest = &xml[start..];
    let value_start = rest.find("<value>")? + "<value>".len();
    let value_end = rest[value_start..].find("</value>")? + value_start;
    Some(unescape(&rest[value_start..value_end]))
}

/// The text of the first `<{element}>TEXT</{element}>` (`concept`).
pub fn element_text(xml: &str, element: &str) -> Option<String> {
    let open = format!("<{element}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{element}>"))? + start;
    Some(unescape(&xml[start..end]))
}

/// The root archetype id: in an OPT the root's `<archetype_id>` follows all its attributes, so it is
/// the last one before the closing `</definition>` (nested archetype roots come earlier).
pub fn root_archetype_id(xml: &str) -> Option<String> {
    let end = xml.rfind("</definition>")?;
    let start = xml[..end].rfind("<archetype_id>")?;
    element_value(&xml[start..end], "archetype_id")
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A copy of an OPT whose first `template_id` value is `new_id`.
pub fn with_template_id(xml: &str, new_id: &str) -> Result<String, String> {
    let start = xml.find("<template_id>").ok_or("no <template_id>")?;
    let value_start = xml[start..].find("<value>").ok_or("no <value>")? + start + "<value>".len();
    let value_end = xml[value_start..].find("</value>").ok_or("no </value>")? + value_start;
    Ok(format!("{}{}{}", &xml[..value_start], escape(new_id), &xml[value_end..]))
}

/// Percent-encodes a path segment (all but RFC 3986 unreserved characters).
pub fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Percent-decodes a URL path (to compare `Location` headers whatever encoding the server chose).
pub fn decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
