//! STRUCTURED compositions (the nested form of FLAT: `{"root": {"obs": [{"value": [{"|magnitude": 1}]}]}}`)
//! and the conversions between the two forms. Array entries are instances; an instance is a
//! plain value or an object of `|suffix` members and child members (`"|"` holds the plain value
//! of a node that also has suffixes).

use super::keys;
use crate::diagnostic::{Code, Diagnostic};
use crate::json::{self, Json, Member, Value, escape_into};
use crate::web_template::{Node, WebTemplate};

/// RM attributes that are lists, so their FLAT keys carry `:N` even with one entry.
const LIST_ATTRIBUTES: &[&str] = &[
    "_other_participation",
    "_participation",
    "_link",
    "_identifier",
    "_other_reference_ranges",
    "_mapping",
    "_reason",
    "feeder_system_item_id",
    "originating_system_item_id",
];

/// A STRUCTURED composition is one object member named after the root whose value is an object
/// (plus an optional `ctx`), and no key with a `/`.
pub(super) fn is_structured(wt: &WebTemplate, members: &[Member]) -> bool {
    members.iter().any(|m| m.key == wt.tree.id && matches!(m.value.value, Value::Object(_)))
        && members.iter().all(|m| m.key == wt.tree.id || m.key == "ctx")
}

/// Appends the FLAT members of a STRUCTURED document (positions stay those of the nested text).
pub(super) fn flatten(wt: &WebTemplate, members: &[Member], out: &mut Vec<Member>) {
    for m in members {
        let node = (m.key == wt.tree.id).then_some(&wt.tree);
        instance(&m.key, node, &m.value, m.key_pos, out, 0);
    }
}

fn instance(prefix: &str, node: Option<&Node>, v: &Json, key_pos: json::Pos, out: &mut Vec<Member>, depth: usize) {
    let Value::Object(members) = &v.value else {
        out.push(Member { key: prefix.to_string(), key_pos, value: v.clone() });
        return;
    };
    if depth > json::MAX_DEPTH {
        return;
    }
    for m in members {
        if let Some(suffix) = m.key.strip_prefix('|') {
            // `"|"` holds the plain value of a node that also has suffixes.
            let key = if suffix.is_empty() { prefix.to_string() } else { format!("{prefix}|{suffix}") };
            out.push(Member { key, key_pos: m.key_pos, value: m.value.clone() });
            continue;
        }
        let child = node.and_then(|n| keys::child(n, &m.key));
        let items: Vec<&Json> = match &m.value.value {
            Value::Array(items) => items.iter().collect(),
            _ => vec![&m.value],
        };
        let list = match child {
            Some(c) => c.max != 1,
            None => LIST_ATTRIBUTES.contains(&m.key.as_str()) || items.len() > 1,
        };
        for (i, item) in items.iter().enumerate() {
            let name = if list { format!("{prefix}/{}:{i}", m.key) } else { format!("{prefix}/{}", m.key) };
            let pos = if matches!(item.value, Value::Object(_)) { m.key_pos } else { item.pos };
            instance(&name, child, item, pos, out, depth + 1);
        }
    }
}

fn malformed(e: json::JsonError) -> Vec<Diagnostic> {
    vec![Diagnostic::new(Code::FlatMalformedJson, e.message, e.pos.line, e.pos.column, "")]
}

fn scalar_text(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(n),
        Value::String(s) => escape_into(out, s),
        // FLAT values are scalars; a nested value is written back as null rather than lost silently
        // (the validator reports it as FLAT002).
        Value::Array(_) | Value::Object(_) => out.push_str("null"),
    }
}

/// Converts a STRUCTURED composition to FLAT JSON text, indexing repeatable nodes as the web
/// template says.
pub fn structured_to_flat(wt: &WebTemplate, structured: &str) -> Result<String, Vec<Diagnostic>> {
    let doc = json::parse(structured).map_err(malformed)?;
    let Value::Object(members) = &doc.value else {
        return Err(vec![Diagnostic::new(Code::FlatMalformedJson, "a composition is a JSON object", 1, 1, "")]);
    };
    let mut flat = Vec::new();
    flatten(wt, members, &mut flat);
    let mut out = String::from("{");
    for (i, m) in flat.iter().enumerate() {
        out.push_str(if i == 0 { "\n  " } else { ",\n  " });
        escape_into(&mut out, &m.key);
        out.push_str(": ");
        scalar_text(&mut out, &m.value.value);
    }
    out.push_str("\n}");
    Ok(out)
}

/// A node of the STRUCTURED tree being built: suffix values, a plain value, children in order.
#[derive(Default)]
struct Tree {
    plain: Option<Value>,
    suffixes: Vec<(String, Value)>,
    children: Vec<(String, Vec<(u32, Tree)>)>,
}

impl Tree {
    fn child(&mut self, id: &str, index: u32) -> &mut Tree {
        let pos = match self.children.iter().position(|(c, _)| c == id) {
            Some(p) => p,
            None => {
                self.children.push((id.to_string(), Vec::new()));
                self.children.len() - 1
            }
        };
        let list = &mut self.children[pos].1;
        let at = match list.iter().position(|(i, _)| *i == index) {
            Some(p) => p,
            None => {
                list.push((index, Tree::default()));
                list.len() - 1
            }
        };
        &mut list[at].1
    }

    fn write(&self, out: &mut String) {
        if self.children.is_empty() && self.suffixes.is_empty() {
            scalar_text(out, self.plain.as_ref().unwrap_or(&Value::Null));
            return;
        }
        out.push('{');
        let mut first = true;
        let mut sep = |out: &mut String| {
            if !first {
                out.push(',');
            }
            first = false;
        };
        if let Some(p) = &self.plain {
            sep(out);
            out.push_str("\"|\":");
            scalar_text(out, p);
        }
        for (s, v) in &self.suffixes {
            sep(out);
            escape_into(out, &format!("|{s}"));
            out.push(':');
            scalar_text(out, v);
        }
        for (id, list) in &self.children {
            sep(out);
            escape_into(out, id);
            out.push_str(":[");
            let mut sorted: Vec<&(u32, Tree)> = list.iter().collect();
            sorted.sort_by_key(|(i, _)| *i);
            for (n, (_, t)) in sorted.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                t.write(out);
            }
            out.push(']');
        }
        out.push('}');
    }
}

/// Converts a FLAT composition to STRUCTURED JSON text (no template needed: indexes become array
/// positions, in index order).
pub fn flat_to_structured(flat: &str) -> Result<String, Vec<Diagnostic>> {
    let doc = json::parse(flat).map_err(malformed)?;
    let Value::Object(members) = &doc.value else {
        return Err(vec![Diagnostic::new(Code::FlatMalformedJson, "a FLAT composition is a JSON object", 1, 1, "")]);
    };
    let mut root = Tree::default();
    let mut diags = Vec::new();
    for m in members {
        let k = match keys::split(&m.key) {
            Ok(k) => k,
            Err(_) => {
                let msg = format!("{:?} is not a FLAT key", m.key);
                diags.push(Diagnostic::new(
                    Code::FlatUnknownPath,
                    msg,
                    m.key_pos.line,
                    m.key_pos.column,
                    m.key.clone(),
                ));
                continue;
            }
        };
        let mut t = &mut root;
        for seg in &k.segments {
            t = t.child(seg.id, seg.index.unwrap_or(0));
        }
        match k.suffix {
            Some(s) => t.suffixes.push((s.to_string(), m.value.value.clone())),
            None => t.plain = Some(m.value.value.clone()),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    // The root and `ctx` are objects, not arrays of instances.
    let mut out = String::from("{");
    for (n, (id, list)) in root.children.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        escape_into(&mut out, id);
        out.push(':');
        match list.first() {
            Some((_, t)) => t.write(&mut out),
            None => out.push_str("{}"),
        }
    }
    out.push('}');
    Ok(out)
}
