//! The npm package `openehr-definitions`: the core validator compiled to WebAssembly.
//!
//! Every export converts its JS arguments, calls the core, and converts the result back into a
//! plain JS object with the core's field names and diagnostic codes. Nothing else happens here:
//! the behaviour lives in the core so the browser, Node, the CLI and the server all agree.
//! Wrong argument types throw an `Error` whose `code` is `"E_ARG"`.

mod args;
pub mod types;

use args::{bytes_or_text, string, string_array, to_js};
use openehr_definitions as core;
use tsify::Ts;
use types::{Adl2Report, AqlCheck, AqlParse, HridCheck, Kind, OptReport, QueryNameCheck, Report, StringCheck};
use wasm_bindgen::prelude::*;

/// Validates an OPT 1.4 XML document and reads its metadata in one pass.
#[wasm_bindgen(js_name = validateOpt)]
pub fn validate_opt(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: JsValue,
) -> Result<Ts<OptReport>, JsValue> {
    let xml = bytes_or_text(&xml, "xml")?;
    to_js(OptReport::from(core::validate_opt(xml.as_bytes())))
}

/// Reads only an OPT's metadata (and the errors that prevent reading it).
#[wasm_bindgen(js_name = parseOptMetadata)]
pub fn parse_opt_metadata(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] xml: JsValue,
) -> Result<Ts<OptReport>, JsValue> {
    let xml = bytes_or_text(&xml, "xml")?;
    to_js(OptReport::from(core::parse_opt_metadata(xml.as_bytes())))
}

/// Detects the kind of any artefact (OPT 1.4, ADL 2 or AQL) from its content and validates it.
#[wasm_bindgen]
pub fn validate(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: JsValue,
) -> Result<Ts<Report>, JsValue> {
    let artefact = bytes_or_text(&input, "input")?;
    to_js(Report::from(core::validate(artefact.as_bytes())))
}

/// Checks an AQL query: syntax, variables, aliases and archetype ids; lists its `$parameters`.
#[wasm_bindgen(js_name = validateAql)]
pub fn validate_aql(#[wasm_bindgen(unchecked_param_type = "string")] text: JsValue) -> Result<Ts<AqlCheck>, JsValue> {
    let text = string(&text, "text")?;
    to_js(AqlCheck::from(core::parse_aql(&text)))
}

/// Parses an AQL query into its syntax tree, with the same checks as `validateAql`.
#[wasm_bindgen(js_name = parseAql)]
pub fn parse_aql(#[wasm_bindgen(unchecked_param_type = "string")] text: JsValue) -> Result<Ts<AqlParse>, JsValue> {
    let text = string(&text, "text")?;
    to_js(AqlParse::from(core::parse_aql(&text)))
}

/// The AQL syntax tree as `parseAql` returns it: the serde form of the core's `aql::Query`
/// (enums are objects with one key named after the variant, unit variants are strings).
#[wasm_bindgen(typescript_custom_section)]
const AQL_TYPES: &str = r#"
export interface AqlQuery {
    distinct: boolean;
    top: { count: number; direction: "forward" | "backward" | null } | null;
    select: { expr: AqlColumn; alias: string | null }[];
    from: AqlContains;
    where: AqlCondition | null;
    timewindow: string | null;
    order_by: { path: AqlPath; direction: "asc" | "desc" | null }[];
    limit: number | null;
    offset: number | null;
}
export type AqlColumn =
    | { path: AqlPath }
    | { literal: AqlLiteral }
    | { function: AqlFunction }
    | { aggregate: { function: "count" | "min" | "max" | "sum" | "avg"; distinct: boolean; argument: AqlPath | null } };
export interface AqlPath { variable: string; predicate: AqlPredicate | null; path: AqlPathPart[] }
export interface AqlPathPart { attribute: string; predicate: AqlPredicate | null }
export type AqlCmp = "=" | "!=" | "<" | "<=" | ">" | ">=";
export type AqlPredicate =
    | { and: AqlPredicate[] }
    | { or: AqlPredicate[] }
    | { node: { node: { code: string } | { archetype: string }; name: AqlPredicateValue | null } }
    | { parameter: string }
    | { comparison: { path: AqlPathPart[]; op: AqlCmp; value: AqlPredicateValue } }
    | { matches: { path: AqlPathPart[]; regex: string } }
    | "latest_version"
    | "all_versions";
export type AqlPredicateValue =
    | { literal: AqlLiteral }
    | { parameter: string }
    | { path: AqlPathPart[] }
    | { code: string }
    | { term_code: string };
export type AqlContains =
    | { class: { class: { class: string; variable: string | null; predicate: AqlPredicate | null }; contains: { negated: boolean; inner: AqlContains } | null } }
    | { and: AqlContains[] }
    | { or: AqlContains[] }
    | { not_contains: AqlContains };
export type AqlCondition =
    | { and: AqlCondition[] }
    | { or: AqlCondition[] }
    | { not: AqlCondition }
    | { comparison: { left: AqlOperand; op: AqlCmp; right: AqlOperand } }
    | { like: { path: AqlPath; pattern: AqlOperand } }
    | { matches: { path: AqlPath; operand: { list: AqlOperand[] } | { terminology: AqlFunction } | { uri: string } | { regex: string } } }
    | { exists: AqlPath };
export type AqlOperand = { literal: AqlLiteral } | { parameter: string } | { path: AqlPath } | { function: AqlFunction };
export interface AqlFunction { name: string; args: AqlOperand[] }
export type AqlLiteral =
    | { string: string }
    | { integer: number }
    | { real: string }
    | { date: string }
    | { time: string }
    | { date_time: string }
    | { boolean: boolean }
    | "null";
"#;

/// Parses the header of an ADL 2 text.
#[wasm_bindgen(js_name = parseAdl2Header)]
pub fn parse_adl2_header(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<Ts<Adl2Report>, JsValue> {
    let text = string(&text, "text")?;
    to_js(Adl2Report::from(core::parse_adl2_header(&text)))
}

/// The artefact kind, decided from the content's first significant token.
#[wasm_bindgen(js_name = detectKind)]
pub fn detect_kind(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: JsValue,
) -> Result<Ts<Kind>, JsValue> {
    let artefact = bytes_or_text(&input, "input")?;
    to_js(Kind::from(core::detect_kind(artefact.as_bytes())))
}

/// Checks an ADL 1.4 `template_id`; `value` is the id when valid.
#[wasm_bindgen(js_name = checkTemplateId)]
pub fn check_template_id(
    #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
) -> Result<Ts<StringCheck>, JsValue> {
    let id = string(&id, "id")?;
    let result = core::check_template_id(&id);
    to_js(StringCheck::from_result(result, |()| Some(id)))
}

/// Checks and parses an ADL 2 archetype HRID.
#[wasm_bindgen(js_name = checkAdl2Id)]
pub fn check_adl2_id(#[wasm_bindgen(unchecked_param_type = "string")] id: JsValue) -> Result<Ts<HridCheck>, JsValue> {
    let id = string(&id, "id")?;
    to_js(HridCheck::from_result(core::ArchetypeHrid::parse(&id), |hrid| Some(hrid.into())))
}

/// Checks and parses a stored query's qualified name `[namespace::]name`.
#[wasm_bindgen(js_name = checkQueryName)]
pub fn check_query_name(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
) -> Result<Ts<QueryNameCheck>, JsValue> {
    let name = string(&name, "name")?;
    to_js(QueryNameCheck::from_result(core::QueryName::parse(&name), |query| Some(query.into())))
}

/// The highest version in `versions` matching `pattern` (`""`, `"1"`, `"1.2"`, `"1.2.3"`):
/// `value` is `null` when none matches.
#[wasm_bindgen(js_name = resolveVersion)]
pub fn resolve_version(
    #[wasm_bindgen(unchecked_param_type = "string")] pattern: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string[]")] versions: JsValue,
) -> Result<Ts<StringCheck>, JsValue> {
    let pattern = string(&pattern, "pattern")?;
    let versions = string_array(&versions, "versions")?;
    let versions: Vec<&str> = versions.iter().map(String::as_str).collect();
    to_js(StringCheck::from_result(core::version::resolve_str(&pattern, &versions), |found| found))
}

/// The version a stored query PUT with `requested` gets, given the `existing` versions.
#[wasm_bindgen(js_name = nextQueryVersion)]
pub fn next_query_version(
    #[wasm_bindgen(unchecked_param_type = "string")] requested: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string[]")] existing: JsValue,
) -> Result<Ts<StringCheck>, JsValue> {
    let requested = string(&requested, "requested")?;
    let existing = string_array(&existing, "existing")?;
    let existing: Vec<&str> = existing.iter().map(String::as_str).collect();
    to_js(StringCheck::from_result(core::version::next_query_version_str(&requested, &existing), Some))
}
