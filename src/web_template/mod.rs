//! Web templates (`application/openehr.wt+json`, format 2.3) built from operational templates the
//! way Better's reference builder builds them: the same tree, ids, paths, collapsing and inputs.
//!
//! ```
//! let opt = std::fs::read("tests/fixtures/opt14/valid/ehrbase_integration_test__opt__minimal_action.opt").unwrap();
//! let wt = openehr_definitions::web_template::web_template(&opt, &Default::default()).unwrap();
//! assert_eq!(wt.version, "2.3");
//! assert_eq!(wt.tree.rm_type, "COMPOSITION");
//! ```

mod build;
mod compact;
mod ids;
mod inputs;
mod paths;
mod postprocess;
mod rm;
mod terminology;

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::template::parse_template;

/// Which languages to build for. Empty fields mean the template's own choice: its language as the
/// default, and its language plus every translation as `languages`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase", default, deny_unknown_fields))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify))]
pub struct Options {
    #[cfg_attr(feature = "wasm-types", tsify(optional))]
    pub default_language: Option<String>,
    #[cfg_attr(feature = "wasm-types", tsify(optional))]
    pub languages: Vec<String>,
}

/// A web template: the template's definition as the tree form-based editors and FLAT formats use.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct WebTemplate {
    pub template_id: String,
    /// The format version, always `"2.3"`.
    pub version: String,
    pub default_language: String,
    pub languages: Vec<String>,
    pub tree: Node,
    /// The `description/other_details` front ends use (`is_singleton`).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "BTreeMap::is_empty"))]
    pub other_details: BTreeMap<String, String>,
}

/// One node of the tree. Absent optional fields are omitted from JSON, as the reference does.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct Node {
    pub id: String,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub name: Option<String>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub localized_name: Option<String>,
    pub rm_type: String,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub node_id: Option<String>,
    pub min: i64,
    /// `-1` when unbounded.
    pub max: i64,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub depends_on: Option<Vec<String>>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "BTreeMap::is_empty"))]
    pub localized_names: BTreeMap<String, String>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "BTreeMap::is_empty"))]
    pub localized_descriptions: BTreeMap<String, String>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "BTreeMap::is_empty"))]
    pub annotations: BTreeMap<String, String>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Vec::is_empty"))]
    pub cardinalities: Vec<Cardinality>,
    /// Some builders omit the root's empty path.
    #[cfg_attr(feature = "serde", serde(default))]
    pub aql_path: String,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Vec::is_empty"))]
    pub proportion_types: Vec<String>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Vec::is_empty"))]
    pub inputs: Vec<Input>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub in_context: Option<bool>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "BTreeMap::is_empty"))]
    pub term_bindings: BTreeMap<String, TermBinding>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Vec::is_empty"))]
    pub children: Vec<Node>,
}

/// A cardinality constraint of a collapsed container, over the ids of the children it counts.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify))]
pub struct Cardinality {
    pub min: i64,
    pub max: i64,
    pub ids: Vec<String>,
}

/// A term binding: `[terminology(version)::code]` as `value`, and the terminology id.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct TermBinding {
    pub value: String,
    pub terminology_id: String,
}

/// One input field of a leaf node (`|code`, `|magnitude`, ... are its `suffix`).
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct Input {
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub suffix: Option<String>,
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub input_type: String,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Vec::is_empty"))]
    pub list: Vec<CodedValue>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub list_open: Option<bool>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub validation: Option<Validation>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub default_value: Option<Value>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub terminology: Option<String>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Vec::is_empty"))]
    pub other_terminologies: Vec<String>,
}

/// One allowed value of an input.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct CodedValue {
    pub value: String,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub label: Option<String>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "BTreeMap::is_empty"))]
    pub localized_labels: BTreeMap<String, String>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "BTreeMap::is_empty"))]
    pub localized_descriptions: BTreeMap<String, String>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "BTreeMap::is_empty"))]
    pub term_bindings: BTreeMap<String, TermBinding>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub validation: Option<Validation>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub ordinal: Option<i64>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub current_states: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify))]
pub struct Validation {
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub pattern: Option<String>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub range: Option<Range>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub precision: Option<Range>,
}

/// A range with its operators (`>=`, `>`, `<=`, `<`); bounds are integers, decimals or ISO strings.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct Range {
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub min_op: Option<String>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub min: Option<Value>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub max_op: Option<String>,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub max: Option<Value>,
}

/// A JSON scalar: default values and range bounds are strings, integers, decimals or booleans.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify))]
#[cfg_attr(feature = "serde", serde(untagged))]
pub enum Value {
    Text(String),
    Integer(i64),
    Decimal(f64),
    Boolean(bool),
}

/// The JSON text of a template input that is a web template rather than an OPT (its first
/// character after a UTF-8 BOM and whitespace is `{`), without the BOM, ready for a JSON reader;
/// `None` for anything else (an OPT is XML). The CLI and the npm package both ask this.
pub fn web_template_json(input: &[u8]) -> Option<&[u8]> {
    let body = crate::text::strip_bom(input);
    (body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')).then_some(body)
}

/// Builds the web template of an OPT. An invalid OPT yields the validator's diagnostics.
pub fn web_template(opt: &[u8], options: &Options) -> Result<WebTemplate, Vec<Diagnostic>> {
    let template = parse_template(opt)?;
    Ok(build::build(&template, options))
}

#[cfg(test)]
mod tests {
    use super::web_template_json;

    #[test]
    fn web_template_json_is_told_from_an_opt_by_its_first_character() {
        assert_eq!(web_template_json(b"\xEF\xBB\xBF \n{\"tree\": 1}"), Some(&b" \n{\"tree\": 1}"[..]));
        assert_eq!(web_template_json(b"{}"), Some(&b"{}"[..]));
        assert_eq!(web_template_json(b"<?xml version='1.0'?><template/>"), None);
        assert_eq!(web_template_json(b"\xEF\xBB\xBF<template/>"), None);
        assert_eq!(web_template_json(b"  [1]"), None);
        assert_eq!(web_template_json(b""), None);
    }
}
