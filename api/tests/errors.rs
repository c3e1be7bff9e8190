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
            "message": "the storage backend is unavailable; retry later", "validationErrors": []})
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
