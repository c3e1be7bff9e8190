//! Stored queries are parsed as AQL before they are stored: a broken query is a 400 carrying the
//! parser's diagnostics (as spec strings and structured), a valid one is stored byte for byte.

use http::{Request, Response};
use openehr_defs_api::{Config, KvStore, MemoryStore, handle};

fn send(store: &dyn KvStore, method: &str, path: &str, content_type: &str, body: &[u8]) -> Response<Vec<u8>> {
    let request = Request::builder()
        .method(method)
        .uri(format!("/v1{path}"))
        .header("Content-Type", content_type)
        .body(body.to_vec())
        .expect("valid request");
    handle(request, store, &Config::default())
}

fn json(response: &Response<Vec<u8>>) -> serde_json::Value {
    serde_json::from_slice(response.body()).expect("a JSON body")
}

#[test]
fn a_query_with_a_syntax_error_is_400_with_the_parser_diagnostics() {
    let store = MemoryStore::new();
    let put = send(&store, "PUT", "/definition/query/org.x::q", "text/plain", b"SELECT e/ehr_id/value\nWHERE e/a = 1");
    assert_eq!(put.status(), 400);
    let body = json(&put);
    assert_eq!(body["message"], "the query is not valid AQL");
    assert_eq!(
        body["validationErrors"],
        serde_json::json!(["2:1: error[AQL006]: expected FROM after the SELECT list, found WHERE (at /select)"])
    );
    assert_eq!(body["diagnostics"][0]["code"], "AQL006");
    assert_eq!((&body["diagnostics"][0]["line"], &body["diagnostics"][0]["column"]), (&2.into(), &1.into()));
    // Nothing was stored.
    assert_eq!(send(&store, "GET", "/definition/query/org.x::q/1", "text/plain", b"").status(), 404);
}

#[test]
fn a_query_with_a_semantic_error_is_400_too() {
    let store = MemoryStore::new();
    let put = send(&store, "PUT", "/definition/query/org.x::q", "text/plain", b"SELECT x/name FROM EHR e");
    assert_eq!(put.status(), 400);
    assert_eq!(json(&put)["diagnostics"][0]["code"], "AQL010");
}

#[test]
fn a_json_body_is_parsed_too() {
    let store = MemoryStore::new();
    let put = send(&store, "PUT", "/definition/query/org.x::q", "application/json", br#"{"q": "SELECT 1"}"#);
    assert_eq!(put.status(), 400);
    assert_eq!(json(&put)["diagnostics"][0]["code"], "AQL006");
}

#[test]
fn a_valid_query_is_stored_byte_for_byte() {
    let store = MemoryStore::new();
    let text =
        "select  e/ehr_id/value -- the id\r\nfrom EHR e[ehr_id/value=$ehr_id]\n\tLIMIT 5 ORDER BY e/time_created\n";
    let put = send(&store, "PUT", "/definition/query/org.x::q", "text/plain", text.as_bytes());
    assert_eq!(put.status(), 200, "{}", String::from_utf8_lossy(put.body()));
    let got = send(&store, "GET", "/definition/query/org.x::q/1", "text/plain", b"");
    assert_eq!(got.status(), 200);
    assert_eq!(json(&got)["q"], text);
}

#[test]
fn other_query_types_are_not_parsed_as_aql() {
    let store = MemoryStore::new();
    let put = send(&store, "PUT", "/definition/query/org.x::q?query_type=SQL", "text/plain", b"SELECT 1");
    assert_eq!(put.status(), 200);
}
