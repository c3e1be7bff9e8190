//! Failures of the store reach the client as their kind only (503 + Retry-After when the backend is
//! unavailable, 500 when stored data is unreadable), and reach the log with their cause.

use http::{Request, Response};
use openehr_defs_api::{Config, KvStore, MemoryStore, StoreError, handle};
use std::sync::Mutex;

/// Every log record of this test binary, as "LEVEL message".
static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        if let Ok(mut records) = RECORDS.lock() {
            records.push(format!("{} {}", record.level(), record.args()));
        }
    }
    fn flush(&self) {}
}

fn capture_logs() {
    let _ = log::set_logger(&Capture);
    log::set_max_level(log::LevelFilter::Trace);
}

fn logged(fragment: &str) -> bool {
    RECORDS.lock().map(|records| records.iter().any(|r| r.contains(fragment))).unwrap_or(false)
}

/// A backend that is down: every call fails with a message only the operator should see.
struct Down;

impl KvStore for Down {
    fn get(&self, _: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Err(StoreError::unavailable("connection refused by redis://10.0.0.7:6379 (secret topology)"))
    }
    fn set(&self, _: &str, _: &[u8]) -> Result<(), StoreError> {
        self.get("").map(|_| ())
    }
    fn delete(&self, _: &str) -> Result<(), StoreError> {
        self.get("").map(|_| ())
    }
    fn increment(&self, _: &str, _: i64) -> Result<i64, StoreError> {
        self.get("").map(|_| 0)
    }
    fn compare_and_swap(&self, _: &str, _: Option<&[u8]>, _: &[u8]) -> Result<bool, StoreError> {
        self.get("").map(|_| false)
    }
}

fn get(store: &dyn KvStore, path: &str) -> Response<Vec<u8>> {
    let request = Request::builder().uri(format!("/v1{path}")).body(Vec::new()).expect("valid request");
    handle(request, store, &Config::default())
}

fn body(response: &Response<Vec<u8>>) -> serde_json::Value {
    serde_json::from_slice(response.body()).expect("a JSON error body")
}

#[test]
fn an_unavailable_backend_is_503_with_retry_after_and_no_internal_text() {
    capture_logs();
    let response = get(&Down, "/definition/template/adl1.4");
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "1");
    assert_eq!(
        body(&response),
        serde_json::json!({"error": "Service Unavailable",
            "message": "the storage backend is unavailable; retry later", "validationErrors": [], "diagnostics": []})
    );
    assert!(logged(
        "ERROR GET /v1/definition/template/adl1.4 answered 503: storage backend unavailable: connection refused by redis://10.0.0.7:6379"
    ));
}

#[test]
fn unreadable_stored_data_is_500_and_its_cause_is_logged() {
    capture_logs();
    let store = MemoryStore::new();
    store.set("query/index", b"{not json").expect("memory store");
    let response = get(&store, "/definition/query/org.example::q/1");
    assert_eq!(response.status(), 500);
    assert_eq!(body(&response)["message"], "internal error: the stored data could not be read");
    assert!(!String::from_utf8_lossy(response.body()).contains("query/index"), "no key names for clients");
    assert!(logged("answered 500: stored data is corrupt: value of query/index is corrupt"));
}

#[test]
fn client_errors_are_not_logged_as_errors() {
    capture_logs();
    let response = get(&MemoryStore::new(), "/definition/template/adl1.4/no.such.template");
    assert_eq!(response.status(), 404);
    assert_eq!(body(&response)["error"], "Not Found");
    assert!(!logged("no.such.template"));
}

fn message(response: &Response<Vec<u8>>) -> String {
    body(response)["message"].as_str().expect("a message").to_owned()
}

#[test]
fn not_found_messages_name_the_pattern_as_sent_not_rust_debug_text() {
    let store = MemoryStore::new();
    let response = get(&store, "/definition/query/org.example::q/1.0.0");
    assert_eq!(response.status(), 404);
    assert_eq!(message(&response), "no version of stored query org.example::q matches \"1.0.0\"");
    let response = get(&store, "/definition/template/adl2/openEHR-EHR-COMPOSITION.x/1.2");
    assert_eq!(message(&response), "no version of ADL 2 template \"openEHR-EHR-COMPOSITION.x\" matches \"1.2\"");
}

/// `{id}.v1.0.0` is parsed to check a versionless id: no diagnostic may point past what was sent.
#[test]
fn a_bad_versionless_adl2_id_points_only_at_what_was_sent() {
    let response = get(&MemoryStore::new(), "/definition/template/adl2/openEHR-EHR-COMPOSITION");
    assert_eq!(response.status(), 400);
    let errors = body(&response)["diagnostics"].as_array().expect("diagnostics").clone();
    assert!(!errors.is_empty());
    for error in errors {
        let column = error["column"].as_u64().expect("column");
        assert!(column <= "openEHR-EHR-COMPOSITION".len() as u64 + 1, "{error}");
    }
}

/// A full HRID names one version; a version pattern in the path that includes it is answered.
#[test]
fn a_full_adl2_hrid_with_a_matching_version_pattern_is_answered() {
    let store = MemoryStore::new();
    let path = format!(
        "{}/../tests/fixtures/adl2/openehr_archie__flattener__openEHR-EHR-COMPOSITION.blood_pressure.v1.0.0.adlt",
        env!("CARGO_MANIFEST_DIR")
    );
    let adl = std::fs::read(path).expect("fixture");
    let upload = Request::builder()
        .method("POST")
        .uri("/v1/definition/template/adl2")
        .header("content-type", "text/plain")
        .body(adl.clone())
        .expect("valid request");
    assert_eq!(handle(upload, &store, &Config::default()).status(), 201);
    let hrid = "/definition/template/adl2/openEHR-EHR-COMPOSITION.blood_pressure.v1.0.0";
    for pattern in ["", "/1", "/1.0", "/1.0.0"] {
        let response = get(&store, &format!("{hrid}{pattern}"));
        assert_eq!(response.status(), 200, "{pattern}: {}", String::from_utf8_lossy(response.body()));
        assert_eq!(response.body(), &adl);
    }
    let excluded = get(&store, &format!("{hrid}/2"));
    assert_eq!(excluded.status(), 404);
    assert_eq!(
        message(&excluded),
        "the template_id names version 1.0.0, which the path's version pattern \"2\" excludes"
    );
}

fn send(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response<Vec<u8>> {
    let mut request = Request::builder().method(method).uri(format!("/v1{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    handle(request.body(body.to_vec()).expect("valid request"), &MemoryStore::new(), &Config::default())
}

#[test]
fn json_routes_answer_406_to_an_accept_they_cannot_serve() {
    for path in [
        "/definition/template/adl1.4",
        "/definition/template/adl2",
        "/definition/query/",
        "/definition/query/org.x::q/1",
    ] {
        let refused = send("GET", path, &[("Accept", "application/xml")], b"");
        assert_eq!(refused.status(), 406, "{path}");
        assert_eq!(message(&refused), "this route answers with application/json only");
        let accepted = send("GET", path, &[("Accept", "application/json, text/*;q=0.5")], b"");
        assert_ne!(accepted.status(), 406, "{path}");
    }
    // An ADL 1.4 template is served as XML or as its web template (JSON): only other types are 406.
    assert_eq!(send("GET", "/definition/template/adl1.4/a.b", &[("Accept", "text/plain")], b"").status(), 406);
    assert_eq!(send("GET", "/definition/template/adl1.4/a.b", &[("Accept", "application/json")], b"").status(), 404);
    assert_eq!(send("GET", "/definition/template/adl1.4/a.b", &[("Accept", "text/xml")], b"").status(), 404);
}

#[test]
fn a_stored_query_put_that_is_neither_text_nor_json_is_415() {
    let put = |content_type: Option<&str>| {
        let headers: Vec<(&str, &str)> = content_type.map(|c| ("Content-Type", c)).into_iter().collect();
        send("PUT", "/definition/query/org.x::q", &headers, b"SELECT e FROM EHR e").status()
    };
    assert_eq!(put(Some("application/xml")), 415);
    assert_eq!(put(Some("application/x-www-form-urlencoded")), 415);
    assert_eq!(put(None), 415);
    assert_eq!(put(Some("text/plain; charset=utf-8")), 200);
    let refused =
        send("PUT", "/definition/query/org.x::q", &[("Content-Type", "application/xml")], b"SELECT e FROM EHR e");
    assert_eq!(message(&refused), "this route reads text/plain or application/json, not application/xml");
}

/// The spec's `validationErrors` are strings (one per diagnostic); ours, `diagnostics`, the structured form.
#[test]
fn a_400_renders_each_diagnostic_as_a_string_beside_the_structured_ones() {
    let response = send("POST", "/definition/template/adl1.4", &[("Content-Type", "application/xml")], b"<template/>");
    assert_eq!(response.status(), 400);
    let body = body(&response);
    let strings = body["validationErrors"].as_array().expect("validationErrors");
    let structured = body["diagnostics"].as_array().expect("diagnostics");
    assert!(!structured.is_empty());
    assert_eq!(strings.len(), structured.len());
    for (string, diagnostic) in strings.iter().zip(structured) {
        let text = |key: &str| diagnostic[key].as_str().unwrap_or_default().to_owned();
        let mut expected = format!(
            "{}:{}: {}[{}]: {}",
            diagnostic["line"],
            diagnostic["column"],
            text("severity"),
            text("code"),
            text("message")
        );
        if !text("path").is_empty() {
            expected.push_str(&format!(" (at {})", text("path")));
        }
        assert_eq!(string.as_str(), Some(expected.as_str()));
    }
}
