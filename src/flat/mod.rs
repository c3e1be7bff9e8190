//! FLAT (simSDT) composition validation against a template's web template: every key must be a
//! web template path (`root/obs:0/event:1/value|magnitude`) or an RM attribute the EHRbase SDK
//! reads, every value must fit its input, mandatory nodes must be present and repeatable ones
//! within their `max`. Positions point into the JSON text.
//!
//! ```
//! let opt = std::fs::read("tests/fixtures/flat/templates/duration_validation.opt").unwrap();
//! let wt = openehr_definitions::web_template::web_template(&opt, &Default::default()).unwrap();
//! let report = openehr_definitions::flat::validate_flat(&wt, r#"{"a1/blood_pressure/any_event:0/systolic|magnitude": "x"}"#);
//! assert_eq!(report.diagnostics[0].code.as_str(), "FLAT020");
//! ```

mod ism;
mod iso;
mod keys;
mod occurrences;
mod structured;
mod values;

use std::collections::{BTreeMap, HashSet};

pub use structured::{flat_to_structured, structured_to_flat};

use crate::diagnostic::{Code, Diagnostic};
use crate::json::{self, Member, Pos, Value};
use crate::web_template::{Node, Options, WebTemplate, web_template};
use occurrences::Occurrences;

/// The findings about one FLAT composition. `valid` is false when any finding is an error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FlatReport {
    pub valid: bool,
    pub diagnostics: Vec<Diagnostic>,
}

impl FlatReport {
    fn new(mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics.sort_by_key(|d| (d.line, d.column, d.code));
        FlatReport { valid: !diagnostics.iter().any(Diagnostic::is_error), diagnostics }
    }
}

/// Builds the OPT's web template, then validates the composition against it. An invalid OPT
/// yields its own diagnostics.
pub fn validate_flat_opt(opt: &[u8], composition: &str) -> Result<FlatReport, Vec<Diagnostic>> {
    let wt = web_template(opt, &Options::default())?;
    Ok(validate_flat(&wt, composition))
}

/// [`validate_flat`] over raw bytes (an HTTP body, a file): input that is not UTF-8 is FLAT001 at
/// the first invalid byte.
pub fn validate_flat_bytes(wt: &WebTemplate, composition: &[u8]) -> FlatReport {
    match std::str::from_utf8(composition) {
        Ok(text) => validate_flat(wt, text),
        Err(e) => {
            let good = &composition[..e.valid_up_to()];
            let line = good.iter().filter(|b| **b == b'\n').count() + 1;
            let tail = good.rsplit(|b| *b == b'\n').next().unwrap_or_default();
            let column = String::from_utf8_lossy(tail).chars().count() + 1;
            let (line, column) = (u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(column).unwrap_or(u32::MAX));
            FlatReport::new(vec![Diagnostic::new(Code::FlatMalformedJson, "the input is not UTF-8", line, column, "")])
        }
    }
}

/// Validates a FLAT composition, or a STRUCTURED one (its single root member named after the
/// template's tree id), against a web template.
pub fn validate_flat(wt: &WebTemplate, composition: &str) -> FlatReport {
    let doc = match json::parse(composition) {
        Ok(doc) => doc,
        Err(e) => {
            return FlatReport::new(vec![Diagnostic::new(
                Code::FlatMalformedJson,
                e.message,
                e.pos.line,
                e.pos.column,
                "",
            )]);
        }
    };
    let Value::Object(members) = &doc.value else {
        return FlatReport::new(vec![malformed(doc.pos, "a FLAT composition is a JSON object")]);
    };
    if structured::is_structured(wt, members) {
        let mut flat = Vec::new();
        structured::flatten(wt, members, &mut flat);
        return FlatReport::new(check_members(wt, &flat));
    }
    FlatReport::new(check_members(wt, members))
}

fn malformed(pos: Pos, msg: &str) -> Diagnostic {
    Diagnostic::new(Code::FlatMalformedJson, msg, pos.line, pos.column, "")
}

/// Per node instance (canonical path): its node and its (suffix, member) pairs.
type Filled<'a> = BTreeMap<String, (&'a Node, Vec<(Option<&'a str>, &'a Member)>)>;

/// One key resolved to a node instance.
struct Resolved<'w> {
    node: &'w Node,
    /// The canonical path of the node instance (indexes on repeatable nodes only).
    instance: String,
}

fn check_members(wt: &WebTemplate, members: &[Member]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut occ = Occurrences::default();
    let root = &wt.tree;
    occ.instances.insert(root.id.clone(), (root, Pos { line: 1, column: 1 }));
    // Per node instance: (suffix, member) pairs, for cross-field checks (units, ISM).
    let mut filled: Filled<'_> = BTreeMap::new();
    for m in members {
        let key = m.key.as_str();
        let at = |code: Code, msg: String| Diagnostic::new(code, msg, m.key_pos.line, m.key_pos.column, key);
        if !seen.insert(key) {
            out.push(at(Code::FlatDuplicateKey, format!("duplicate key {key:?}")));
            continue;
        }
        if matches!(m.value.value, Value::Object(_) | Value::Array(_)) {
            let p = m.value.pos;
            out.push(Diagnostic::new(
                Code::FlatNotScalar,
                "a FLAT value must be a string, number, boolean or null",
                p.line,
                p.column,
                key,
            ));
            continue;
        }
        if let Some(ctx) = key.strip_prefix("ctx/") {
            if !keys::is_context_key(ctx) {
                out.push(at(Code::FlatUnknownContext, format!("unknown context key {key:?}: ignored")));
            }
            continue;
        }
        if let Some((Some(r), suffix)) = resolve(root, key, m.key_pos, &mut occ, &mut out) {
            filled.entry(r.instance).or_insert_with(|| (r.node, Vec::new())).1.push((suffix, m));
        }
    }
    // Bounds an interval declares unbounded are not mandatory.
    let mut exempt = HashSet::new();
    for (instance, (node, fields)) in &filled {
        check_suffixes_and_values(node, fields, &mut out);
        for (suffix, m) in fields {
            if let (Some(s @ ("lower_unbounded" | "upper_unbounded")), Value::Bool(true)) = (suffix, &m.value.value) {
                exempt.insert(format!("{instance}/{}", &s[..5]));
            }
        }
    }
    check_ism(&filled, &occ.instances, &mut out);
    occ.check(&exempt, &mut out);
    out
}

/// Resolves a key to its node instance. `Some((None, _))` means a valid key under an
/// `_underscore` RM attribute; `None` means a diagnostic was pushed.
fn resolve<'w, 'k>(
    root: &'w Node,
    key: &'k str,
    pos: Pos,
    occ: &mut Occurrences<'w>,
    out: &mut Vec<Diagnostic>,
) -> Option<(Option<Resolved<'w>>, Option<&'k str>)> {
    let at = |code: Code, msg: String| Diagnostic::new(code, msg, pos.line, pos.column, key);
    let k = match keys::split(key) {
        Ok(k) => k,
        Err(keys::KeyError::Empty) => {
            out.push(at(Code::FlatUnknownPath, format!("{key:?} has an empty path segment")));
            return None;
        }
        Err(keys::KeyError::TooDeep) => {
            out.push(at(Code::FlatUnknownPath, format!("the key has more than {} segments", keys::MAX_SEGMENTS)));
            return None;
        }
        Err(keys::KeyError::BadIndex(seg)) => {
            out.push(at(Code::FlatBadIndex, format!("{seg:?} is not `id:N` with N a non-negative integer")));
            return None;
        }
    };
    let first = k.segments.first()?;
    if first.id != root.id || first.index.is_some() {
        out.push(at(Code::FlatUnknownPath, format!("keys start with the template's root id {:?}", root.id)));
        return None;
    }
    let mut node = root;
    let mut path = root.id.clone();
    for seg in &k.segments[1..] {
        if seg.id.starts_with('_') {
            if keys::UNDERSCORE_ATTRIBUTES.contains(&seg.id) {
                return Some((None, k.suffix));
            }
            out.push(at(Code::FlatUnknownPath, format!("{} is not an RM attribute the FLAT format knows", seg.id)));
            return None;
        }
        let Some(child) = keys::child(node, seg.id) else {
            out.push(at(
                Code::FlatUnknownPath,
                format!("{} has no child {:?} (at {})", node.id, seg.id, &key[..seg.offset]),
            ));
            return None;
        };
        let index = match (child.max, seg.index) {
            (1, Some(i)) => {
                out.push(at(
                    Code::FlatBadIndex,
                    format!("{}:{i}: {} occurs at most once, so takes no index", seg.id, seg.id),
                ));
                return None;
            }
            (1, None) => None,
            (_, Some(i)) => Some(i),
            (_, None) => {
                out.push(at(Code::FlatMissingIndex, format!("{} is repeatable; missing index read as :0", seg.id)));
                Some(0)
            }
        };
        let parent_len = path.len();
        path.push('/');
        path.push_str(seg.id);
        if let Some(i) = index {
            path.push(':');
            path.push_str(&i.to_string());
        }
        // Most keys share their instances with earlier keys: record only new ones.
        if !occ.instances.contains_key(path.as_str()) {
            occ.add(&path[..parent_len], child, index.unwrap_or(0), &path, pos, key);
        }
        node = child;
    }
    Some((Some(Resolved { node, instance: path }), k.suffix))
}

fn check_suffixes_and_values(node: &Node, fields: &[(Option<&str>, &Member)], out: &mut Vec<Diagnostic>) {
    let unit = fields.iter().find(|(s, _)| *s == Some("unit")).and_then(|(_, m)| values::text(&m.value.value));
    for (suffix, m) in fields {
        let s = suffix.unwrap_or("");
        // `|raw`: the node as canonical RM JSON, which the SDK reads on any node.
        let known = s == "raw"
            || values::input_for(node, *suffix).is_some()
            || keys::rm_suffixes(&node.rm_type).contains(&s)
            || keys::is_indexed_party_suffix(&node.rm_type, s);
        if !known {
            let msg = if s.is_empty() {
                format!("{} ({}) takes no plain value: use one of its |suffixes", node.id, node.rm_type)
            } else {
                format!("|{s} is not a suffix of {} ({})", node.id, node.rm_type)
            };
            out.push(Diagnostic::new(Code::FlatBadSuffix, msg, m.key_pos.line, m.key_pos.column, m.key.clone()));
            continue;
        }
        let at = values::At { key: &m.key, json: &m.value };
        values::check(node, *suffix, &at, unit, out);
    }
}

/// Gathers the `|code`s of each ISM_TRANSITION instance's children and checks the state machine.
fn check_ism(filled: &Filled<'_>, instances: &BTreeMap<String, (&Node, Pos)>, out: &mut Vec<Diagnostic>) {
    let mut by_ism: BTreeMap<&str, (&Node, ism::IsmCodes)> = BTreeMap::new();
    for (instance, (_, fields)) in filled {
        let Some((parent, id)) = instance.rsplit_once('/') else { continue };
        let Some((ism_node, _)) = instances.get(parent).filter(|(n, _)| n.rm_type == "ISM_TRANSITION") else {
            continue;
        };
        let Some((_, m)) = fields.iter().find(|(s, _)| *s == Some("code")) else { continue };
        let Some(text) = values::text(&m.value.value) else { continue };
        let entry = Some((text.to_string(), m.key_pos, m.key.clone()));
        let codes = &mut by_ism.entry(parent).or_insert_with(|| (*ism_node, ism::IsmCodes::default())).1;
        match id {
            "current_state" => codes.current_state = entry,
            "careflow_step" => codes.careflow_step = entry,
            "transition" => codes.transition = entry,
            _ => {}
        }
    }
    for (node, codes) in by_ism.values() {
        ism::check(node, codes, out);
    }
}
