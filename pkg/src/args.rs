//! Turning JS arguments into Rust values, and the errors thrown when they have the wrong type.
//! Everything here returns `Err` instead of panicking: a bad argument must surface as a
//! catchable JS `Error` with a `code`, never as a wasm trap.

use openehr_definitions::Diagnostic;
use openehr_definitions::web_template::{Options, WebTemplate, web_template, web_template_json};
use serde::Serialize;
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

// `E_INIT` is thrown by the browser entry (build-dist.mjs), which also defines `isDefinitionsError`.

/// `error.code` of a thrown error when an argument has the wrong type.
pub const E_ARG: &str = "E_ARG";
/// `error.code` when a result could not be turned into a JS value (should never happen).
pub const E_INTERNAL: &str = "E_INTERNAL";

#[wasm_bindgen(typescript_custom_section)]
const ERROR_TS: &str = r#"
/**
 * `code` of an error a function throws: `"E_ARG"` when an argument has the wrong type (the
 * message names the argument), `"E_INIT"` when the browser entry was called before `init()` and
 * the engine refused to compile the module synchronously, `"E_INTERNAL"` when a result could not
 * be converted (a bug).
 */
export type ErrorCode = "E_ARG" | "E_INIT" | "E_INTERNAL";

/** What the functions throw, instead of returning a result: an `Error` with a `code`. */
export interface DefinitionsError extends Error {
  code: ErrorCode;
}

/**
 * True when `error` is an `Error` this package threw: a type guard for `catch` blocks. Plain JS
 * (added by build-dist.mjs), so it works before the module is ready.
 */
export function isDefinitionsError(error: unknown): error is DefinitionsError;"#;

/// An artefact passed as a JS string or as bytes.
pub enum Input {
    Text(String),
    Bytes(Vec<u8>),
}

impl Input {
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Input::Text(text) => text.as_bytes(),
            Input::Bytes(bytes) => bytes,
        }
    }
}

/// A JS `Error` whose `code` property says what went wrong.
pub fn error_with_code(code: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    // Setting a property on a fresh Error object cannot fail; if it ever did, the message still tells.
    let _ = js_sys::Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(code));
    error.into()
}

fn wrong_type(name: &str, expected: &str, value: &JsValue) -> JsValue {
    // `typeof null` is "object"; say null, which is what the caller passed.
    let actual = if value.is_null() { "null".to_owned() } else { value.js_typeof().as_string().unwrap_or_default() };
    error_with_code(E_ARG, &format!("`{name}` must be {expected}, got {actual}"))
}

/// A `string | Uint8Array | ArrayBuffer` argument (a Node `Buffer` is a `Uint8Array`;
/// `file.arrayBuffer()` and `fetch(...).arrayBuffer()` give an `ArrayBuffer`).
pub fn bytes_or_text(value: &JsValue, name: &str) -> Result<Input, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(Input::Text(text));
    }
    if let Some(bytes) = value.dyn_ref::<js_sys::Uint8Array>() {
        return Ok(Input::Bytes(bytes.to_vec()));
    }
    match value.dyn_ref::<js_sys::ArrayBuffer>() {
        Some(buffer) => Ok(Input::Bytes(js_sys::Uint8Array::new(buffer).to_vec())),
        None => Err(wrong_type(name, "a string, a Uint8Array or an ArrayBuffer", value)),
    }
}

/// The template a composition is built or checked against: an OPT 1.4 (`string | Uint8Array |
/// ArrayBuffer`, as everywhere), or a web template, either the object `toWebTemplate` returned
/// (or a CDR served) or its JSON text or bytes. An OPT that cannot be used gives its diagnostics;
/// JSON that is not a web template throws `E_ARG`.
pub fn template(value: &JsValue, name: &str) -> Result<Result<WebTemplate, Vec<Diagnostic>>, JsValue> {
    let not_web_template =
        |e: serde_json::Error| error_with_code(E_ARG, &format!("`{name}` is not a web template: {e}"));
    let is_plain_object = value.is_object()
        && !js_sys::Array::is_array(value)
        && !value.is_instance_of::<js_sys::Uint8Array>()
        && !value.is_instance_of::<js_sys::ArrayBuffer>();
    if is_plain_object {
        return serde_json::from_str(&json_text(value, name)?).map(Ok).map_err(not_web_template);
    }
    let input = bytes_or_text(value, name).map_err(|_| {
        wrong_type(name, "an OPT (a string, a Uint8Array or an ArrayBuffer) or a web template object", value)
    })?;
    match web_template_json(input.as_bytes()) {
        Some(json) => serde_json::from_slice(json).map(Ok).map_err(not_web_template),
        None => Ok(web_template(input.as_bytes(), &Options::default())),
    }
}

/// A `string` argument.
pub fn string(value: &JsValue, name: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| wrong_type(name, "a string", value))
}

/// A `string[]` argument.
pub fn string_array(value: &JsValue, name: &str) -> Result<Vec<String>, JsValue> {
    let array = value.dyn_ref::<js_sys::Array>().ok_or_else(|| wrong_type(name, "an array of strings", value))?;
    array
        .iter()
        .enumerate()
        .map(|(i, item)| item.as_string().ok_or_else(|| wrong_type(&format!("{name}[{i}]"), "a string", &item)))
        .collect()
}

/// An optional options object (`undefined` or `null` give the defaults), read through JSON like
/// results are written; unknown fields and wrong field types throw `E_ARG`.
pub fn object_or_default<T: serde::de::DeserializeOwned + Default>(
    value: Option<&JsValue>,
    name: &str,
) -> Result<T, JsValue> {
    let Some(value) = value.filter(|v| !v.is_undefined() && !v.is_null()) else {
        return Ok(T::default());
    };
    if !value.is_object() || js_sys::Array::is_array(value) {
        return Err(wrong_type(name, "an object", value));
    }
    serde_json::from_str(&json_text(value, name)?).map_err(|e| error_with_code(E_ARG, &format!("`{name}`: {e}")))
}

/// A JS object argument as JSON text (the engine's own `JSON.stringify`), for serde to read.
fn json_text(value: &JsValue, name: &str) -> Result<String, JsValue> {
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| error_with_code(E_ARG, &format!("`{name}` cannot be read as JSON")))
}

/// Turns a result into a plain JS object through JSON: the same serde_json text the CLI prints
/// (so maps are objects and `None` is `null`), parsed by the engine's native `JSON.parse`, which
/// is smaller and faster than building the object field by field across the boundary.
pub fn to_js<T: Tsify + Serialize>(value: T) -> Result<Ts<T>, JsValue> {
    let json = serde_json::to_string(&value).map_err(|e| error_with_code(E_INTERNAL, &e.to_string()))?;
    let object = js_sys::JSON::parse(&json)?;
    Ok(Ts::new_unchecked(object))
}
