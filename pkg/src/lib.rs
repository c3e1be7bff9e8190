//! The npm package `openehr-definitions`: the core validator compiled to WebAssembly.
//!
//! Every export converts its JS arguments, calls the core, and converts the result back into a
//! plain JS object with the core's field names and diagnostic codes. Nothing else happens here:
//! the behaviour lives in the core so the browser, Node, the CLI and the server all agree.
//! Wrong argument types throw an `Error` whose `code` is `"E_ARG"` (typed `DefinitionsError`).
//!
//! Adding a function: a `#[wasm_bindgen(js_name = camelCase)]` fn taking `JsValue`s (converted
//! with the `args` helpers, so bad types throw `E_ARG`) and returning `Result<Ts<T>, JsValue>`
//! through `to_js`, where `T` derives `Tsify` (in the core, behind its `wasm-types` feature).
//! `pkg/build.sh` picks every export up for all builds and their TypeScript declarations.

mod args;
pub mod types;

use args::{E_ARG, bytes_or_text, error_with_code, object_or_default, string, string_array, to_js};
use openehr_definitions as core;
use openehr_definitions::example::{ExampleFormat, ExampleOptions};
use openehr_definitions::web_template::Options as WebTemplateOptions;
use openehr_definitions::{Adl2Report, Kind, OptReport, Report};
use tsify::Ts;
use types::{
    AqlCheck, AqlParse, ConversionResult, ExampleResult, FlatCheck, HridCheck, QueryNameCheck, StringCheck,
    WebTemplateResult,
};
use wasm_bindgen::prelude::*;

/// Validates an OPT 1.4 XML document and reads its metadata in one pass.
#[wasm_bindgen(js_name = validateOpt)]
pub fn validate_opt(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer")] xml: JsValue,
) -> Result<Ts<OptReport>, JsValue> {
    let xml = bytes_or_text(&xml, "xml")?;
    to_js(core::validate_opt(xml.as_bytes()))
}

/// Reads only an OPT's metadata (and the errors that prevent reading it).
#[wasm_bindgen(js_name = parseOptMetadata)]
pub fn parse_opt_metadata(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer")] xml: JsValue,
) -> Result<Ts<OptReport>, JsValue> {
    let xml = bytes_or_text(&xml, "xml")?;
    to_js(core::parse_opt_metadata(xml.as_bytes()))
}

/// Detects the kind of any artefact (OPT 1.4, ADL 2 or AQL) from its content and validates it.
#[wasm_bindgen]
pub fn validate(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer")] input: JsValue,
) -> Result<Ts<Report>, JsValue> {
    let artefact = bytes_or_text(&input, "input")?;
    to_js(core::validate(artefact.as_bytes()))
}

/// Validates a file's content as its name says: `*.aql` is always an AQL query; any other name
/// leaves the kind to the content (as `validate`). What `openehr-definitions check` runs per file.
#[wasm_bindgen(js_name = validateFile)]
pub fn validate_file(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer")] input: JsValue,
) -> Result<Ts<Report>, JsValue> {
    let name = string(&name, "name")?;
    let artefact = bytes_or_text(&input, "input")?;
    to_js(core::validate_file(&name, artefact.as_bytes()))
}

/// Whether a directory walk checks a file of this name (`*.opt`, `*.xml`, `*.adls`, `*.adlt`,
/// `*.adl`, `*.aql`, in any case).
#[wasm_bindgen(js_name = isDefinitionFileName)]
pub fn is_definition_file_name(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
) -> Result<bool, JsValue> {
    Ok(core::is_definition_file_name(&string(&name, "name")?))
}

/// Builds the web template (`application/openehr.wt+json`, format 2.3) of an OPT 1.4. `options`
/// (`{defaultLanguage, languages}`) default to the template's language and all its translations.
#[wasm_bindgen(js_name = toWebTemplate)]
pub fn to_web_template(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer")] xml: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Options")] options: Option<JsValue>,
) -> Result<Ts<WebTemplateResult>, JsValue> {
    let xml = bytes_or_text(&xml, "xml")?;
    let options: WebTemplateOptions = object_or_default(options.as_ref(), "options")?;
    to_js(WebTemplateResult::from(core::web_template::web_template(xml.as_bytes(), &options)))
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

/// An example composition of a template in `format` (`"flat"` by default; `"structured"`,
/// `"canonical"` (RM JSON) or `"xml"`), built from its web template in its default language. The
/// template is an OPT 1.4 or a web template (the object `toWebTemplate` returned, or its JSON).
#[wasm_bindgen(js_name = exampleComposition)]
pub fn example_composition(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer | WebTemplate")] template: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ExampleFormat")] format: Option<JsValue>,
    #[wasm_bindgen(unchecked_optional_param_type = "ExampleOptions")] options: Option<JsValue>,
) -> Result<Ts<ExampleResult>, JsValue> {
    let built = args::template(&template, "template")?;
    let format: ExampleFormat = match format.filter(|f| !f.is_undefined() && !f.is_null()) {
        None => ExampleFormat::Flat,
        Some(value) => {
            let name = string(&value, "format")?;
            ExampleFormat::from_name(&name).ok_or_else(|| {
                error_with_code(E_ARG, &format!("`format` must be flat, structured, canonical or xml, got {name:?}"))
            })?
        }
    };
    let options: ExampleOptions = object_or_default(options.as_ref(), "options")?;
    let (example, diagnostics) = match built {
        Ok(wt) => (Some(core::example::example(&wt, format, &options)), Vec::new()),
        Err(diagnostics) => (None, diagnostics),
    };
    to_js(ExampleResult { valid: example.is_some(), media_type: format.media_type(), example, diagnostics })
}

/// Validates a FLAT composition (or a STRUCTURED one: a single root member named after the
/// template's tree id) against a template: an OPT 1.4, or its web template (the object
/// `toWebTemplate` returned, or its JSON; build it once to check many compositions). The core's
/// `FLAT0xx` diagnostics, positioned in the JSON text. An OPT that cannot be used gives
/// `template_diagnostics` (positioned in the OPT) and `valid: false` instead.
#[wasm_bindgen(js_name = validateFlat)]
pub fn validate_flat(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer | WebTemplate")] template: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer")] composition: JsValue,
) -> Result<Ts<FlatCheck>, JsValue> {
    let built = args::template(&template, "template")?;
    let composition = bytes_or_text(&composition, "composition")?;
    let check = match built {
        Ok(wt) => FlatCheck::from(core::flat::validate_flat_bytes(&wt, composition.as_bytes())),
        Err(template_diagnostics) => FlatCheck::unusable_template(template_diagnostics),
    };
    to_js(check)
}

/// Converts a STRUCTURED composition to FLAT JSON text, indexing repeatable nodes as the
/// template's web template says (an OPT 1.4 or a web template, as for `validateFlat`).
#[wasm_bindgen(js_name = structuredToFlat)]
pub fn structured_to_flat(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer | WebTemplate")] template: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] structured: JsValue,
) -> Result<Ts<ConversionResult>, JsValue> {
    let built = args::template(&template, "template")?;
    let structured = string(&structured, "structured")?;
    let result = match built {
        Ok(wt) => ConversionResult::from(core::flat::structured_to_flat(&wt, &structured)),
        Err(template_diagnostics) => ConversionResult::unusable_template(template_diagnostics),
    };
    to_js(result)
}

/// Converts a FLAT composition to STRUCTURED JSON text (no template needed: the FLAT paths and
/// their indexes say everything).
#[wasm_bindgen(js_name = flatToStructured)]
pub fn flat_to_structured(
    #[wasm_bindgen(unchecked_param_type = "string")] flat: JsValue,
) -> Result<Ts<ConversionResult>, JsValue> {
    let flat = string(&flat, "flat")?;
    to_js(ConversionResult::from(core::flat::flat_to_structured(&flat)))
}

/// Parses the header of an ADL 2 text.
#[wasm_bindgen(js_name = parseAdl2Header)]
pub fn parse_adl2_header(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<Ts<Adl2Report>, JsValue> {
    let text = string(&text, "text")?;
    to_js(core::parse_adl2_header(&text))
}

/// The artefact kind, decided from the content's first significant token.
#[wasm_bindgen(js_name = detectKind)]
pub fn detect_kind(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer")] input: JsValue,
) -> Result<Ts<Kind>, JsValue> {
    let artefact = bytes_or_text(&input, "input")?;
    to_js(core::detect_kind(artefact.as_bytes()))
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
    to_js(HridCheck::from_result(core::ArchetypeHrid::parse(&id), Some))
}

/// Checks and parses a stored query's qualified name `[namespace::]name`.
#[wasm_bindgen(js_name = checkQueryName)]
pub fn check_query_name(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
) -> Result<Ts<QueryNameCheck>, JsValue> {
    let name = string(&name, "name")?;
    to_js(QueryNameCheck::from_result(core::QueryName::parse(&name), Some))
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
