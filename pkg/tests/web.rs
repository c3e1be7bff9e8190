//! The bindings in a real browser (headless Chrome via wasm-bindgen-test): results are plain JS
//! objects with the core's field names and codes, and bad arguments throw `E_ARG` errors.
//! Run: `wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver pkg`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, JSON, Reflect, Uint8Array};
use openehr_definitions_wasm::{
    check_query_name, detect_kind, flat_to_structured, resolve_version, structured_to_flat, to_web_template, validate,
    validate_aql, validate_flat, validate_opt,
};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const MINIMAL: &[u8] =
    include_bytes!("../../tests/fixtures/opt14/valid/ehrbase_integration_test__opt__minimal_action.opt");
const REMOVED_CONCEPT: &[u8] = include_bytes!(
    "../../tests/fixtures/opt14/invalid/ehrbase_integration_test__removed_mandatory_elements__minimal_action_removed_concept.opt"
);

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn bytes(data: &[u8]) -> JsValue {
    Uint8Array::from(data).into()
}

#[wasm_bindgen_test]
fn a_valid_opt_from_bytes() {
    let report = validate(bytes(MINIMAL)).map(|r| r.js_value()).unwrap_or(JsValue::NULL);
    assert_eq!(get(&report, "kind").as_string().as_deref(), Some("opt14"));
    assert_eq!(get(&report, "valid").as_bool(), Some(true));
    let metadata = get(&report, "metadata");
    assert_eq!(get(&metadata, "template_id").as_string().as_deref(), Some("minimal_action.en.v1_{{randomize}}"));
    assert!(get(&metadata, "original_author").is_object(), "maps are plain objects");
}

#[wasm_bindgen_test]
fn an_array_buffer_is_read_like_its_bytes() {
    let buffer: JsValue = Uint8Array::from(MINIMAL).buffer().into();
    assert!(buffer.is_instance_of::<js_sys::ArrayBuffer>());
    let report = validate(buffer).map(|r| r.js_value()).unwrap_or(JsValue::NULL);
    let expected = validate(bytes(MINIMAL)).map(|r| r.js_value()).unwrap_or(JsValue::UNDEFINED);
    assert_eq!(JSON::stringify(&report).ok(), JSON::stringify(&expected).ok());
    assert_eq!(get(&report, "valid").as_bool(), Some(true));
}

#[wasm_bindgen_test]
fn an_invalid_opt_has_a_positioned_diagnostic() {
    let text = String::from_utf8_lossy(REMOVED_CONCEPT).into_owned();
    let report = validate_opt(JsValue::from_str(&text)).map(|r| r.js_value()).unwrap_or(JsValue::NULL);
    let diagnostics: Array = get(&report, "diagnostics").into();
    assert_eq!(diagnostics.length(), 1);
    let first = diagnostics.get(0);
    let summary: Vec<JsValue> = ["code", "line", "column", "path"].iter().map(|k| get(&first, k)).collect();
    assert_eq!(summary[0].as_string().as_deref(), Some("OPT010"));
    assert_eq!((summary[1].as_f64(), summary[2].as_f64()), (Some(3.0), Some(1.0)));
    assert_eq!(summary[3].as_string().as_deref(), Some("/template"));
}

#[wasm_bindgen_test]
fn checks_share_one_shape() {
    let reserved = check_query_name(JsValue::from_str("aql")).map(|r| r.js_value()).unwrap_or(JsValue::NULL);
    let json = JSON::stringify(&reserved).ok().and_then(|s| s.as_string());
    assert_eq!(
        json.as_deref(),
        Some(
            r#"{"valid":false,"value":null,"diagnostic":{"code":"ID007","severity":"error","message":"`aql` is a reserved query name","line":1,"column":1,"path":""}}"#
        )
    );
    let versions: JsValue = Array::of2(&"1.0.0".into(), &"1.4.2".into()).into();
    let resolved = resolve_version(JsValue::from_str("1"), versions).map(|r| r.js_value()).unwrap_or(JsValue::NULL);
    assert_eq!(get(&resolved, "value").as_string().as_deref(), Some("1.4.2"));
    let kind = detect_kind(JsValue::from_str("archetype (adl_version=2.0.6)")).map(|k| k.js_value());
    assert_eq!(kind.ok().and_then(|k| k.as_string()).as_deref(), Some("adl2"));
}

#[wasm_bindgen_test]
fn wrong_argument_types_are_errors_with_a_code() {
    let Err(error) = validate(JsValue::from_f64(42.0)) else { panic!("a number was accepted") };
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(get(&error, "code").as_string().as_deref(), Some("E_ARG"));
    assert_eq!(
        get(&error, "message").as_string().as_deref(),
        Some("`input` must be a string, a Uint8Array or an ArrayBuffer, got number")
    );
    let Err(error) = resolve_version(JsValue::from_str("1"), JsValue::from_str("1.0.0")) else {
        panic!("a string was accepted as the version list")
    };
    assert_eq!(get(&error, "code").as_string().as_deref(), Some("E_ARG"));
}

const VITAL_SIGNS_OPT: &[u8] =
    include_bytes!("../../tests/fixtures/web-template/better-web-template/templates/Vital Signs Pathfinder Demo.xml");
const VITAL_SIGNS_WT: &str = include_str!(
    "../../tests/fixtures/web-template/better-web-template/web-templates/Vital Signs Pathfinder Demo.json"
);

/// True when every field of `expected` is in `actual` with an equal value (arrays as multisets):
/// the LENIENT rule of Better's compatibility test.
fn lenient_eq(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e.iter().all(|(k, v)| a.get(k).is_some_and(|w| lenient_eq(v, w))),
        (Value::Array(e), Value::Array(a)) => {
            let mut unused: Vec<&Value> = a.iter().collect();
            e.len() == a.len()
                && e.iter().all(|item| match unused.iter().position(|c| lenient_eq(item, c)) {
                    Some(i) => {
                        unused.swap_remove(i);
                        true
                    }
                    None => false,
                })
        }
        (Value::Number(e), Value::Number(a)) => e.as_f64() == a.as_f64(),
        _ => expected == actual,
    }
}

#[wasm_bindgen_test]
fn a_web_template_in_the_browser_matches_the_reference() {
    let options = JSON::parse(r#"{"defaultLanguage":"en","languages":["en"]}"#).ok();
    let result = to_web_template(bytes(VITAL_SIGNS_OPT), options).map(|r| r.js_value()).unwrap_or(JsValue::NULL);
    let text = JSON::stringify(&get(&result, "web_template")).ok().and_then(|s| s.as_string()).unwrap_or_default();
    let actual: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let reference: String = VITAL_SIGNS_WT.lines().skip_while(|l| l.trim_start().starts_with("//")).collect();
    let expected: Value = serde_json::from_str(&reference).unwrap_or(Value::Null);
    assert!(expected.is_object(), "the reference parses");
    assert!(lenient_eq(&expected, &actual), "not LENIENT-equal to Better's web template");
}

#[wasm_bindgen_test]
fn aql_diagnostics_in_the_browser() {
    let result =
        validate_aql(JsValue::from_str("SELECT e/ehr_id/value")).map(|r| r.js_value()).unwrap_or(JsValue::NULL);
    let diagnostics: Array = get(&result, "diagnostics").into();
    let first = diagnostics.get(0);
    assert_eq!(get(&first, "code").as_string().as_deref(), Some("AQL006"));
    assert_eq!((get(&first, "line").as_f64(), get(&first, "column").as_f64()), (Some(1.0), Some(22.0)));
}

const ISM_OPT: &[u8] = include_bytes!("../../tests/fixtures/flat/templates/test-ism.vitagroup.de.v1.opt");
const ISM_WRONG_STATE: &[u8] = include_bytes!("../../tests/fixtures/flat/flat/ism_wrong_current_state.json");
const ISM_VALID: &[u8] = include_bytes!("../../tests/fixtures/flat/flat/ism_vaild_transition.json");

#[wasm_bindgen_test]
fn flat_validation_in_the_browser() {
    let check = |data: &[u8]| validate_flat(bytes(ISM_OPT), bytes(data)).map(|r| r.js_value()).unwrap_or(JsValue::NULL);
    let valid = check(ISM_VALID);
    assert_eq!(get(&valid, "valid").as_bool(), Some(true));
    let wrong = check(ISM_WRONG_STATE);
    assert_eq!(get(&wrong, "valid").as_bool(), Some(false));
    let diagnostics: Array = get(&wrong, "diagnostics").into();
    let codes: Vec<String> = diagnostics.iter().filter_map(|d| get(&d, "code").as_string()).collect();
    assert!(codes.iter().any(|code| code.starts_with("FLAT04")), "{codes:?}");
}

#[wasm_bindgen_test]
fn flat_round_trip_in_the_browser() {
    let flat = String::from_utf8_lossy(ISM_VALID).into_owned();
    let structured = flat_to_structured(JsValue::from_str(&flat)).map(|r| r.js_value()).unwrap_or(JsValue::NULL);
    let text = get(&structured, "composition").as_string().unwrap_or_default();
    let back =
        structured_to_flat(bytes(ISM_OPT), JsValue::from_str(&text)).map(|r| r.js_value()).unwrap_or(JsValue::NULL);
    let expected: Value = serde_json::from_str(&flat).unwrap_or(Value::Null);
    let actual: Value =
        serde_json::from_str(&get(&back, "composition").as_string().unwrap_or_default()).unwrap_or(Value::Null);
    assert!(expected.is_object());
    assert_eq!(actual, expected);
}
