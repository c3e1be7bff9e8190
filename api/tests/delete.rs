//! `DELETE /definition/template/adl1.4/{template_id}` and Ehrscape's `DELETE /template/{templateId}`:
//! off by default (405), write-protected, and afterwards the template is gone from every read and its
//! id can be uploaded again.

use http::{Request, Response};
use openehr_defs_api::{Config, KvStore, MemoryStore, handle};
use serde_json::{Value, json};

const ID: &str = "delete.me";

fn fixture(relative: &str) -> Vec<u8> {
    let path = format!("{}/../tests/fixtures/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A small real OPT with its template_id replaced, told apart from others by a comment.
fn opt(template_id: &str, mark: &str) -> Vec<u8> {
    let xml = String::from_utf8(fixture("opt14/valid/ehrbase_integration_test__opt__minimal_action.opt")).unwrap();
    let start = xml.find("<template_id>").expect("template_id element");
    let value_start = xml[start..].find("<value>").map(|i| start + i + "<value>".len()).expect("value");
    let value_end = xml[value_start..].find("</value>").map(|i| value_start + i).expect("value end");
    format!("{}{template_id}{}<!-- {mark} -->", &xml[..value_start], &xml[value_end..]).into_bytes()
}

fn allowing() -> Config {
    Config { allow_delete: true, ..Config::default() }
}

fn send(store: &dyn KvStore, config: &Config, method: &str, uri: &str, headers: &[(&str, &str)]) -> Response<Vec<u8>> {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    handle(request.body(Vec::new()).expect("valid request"), store, config)
}

fn upload(store: &dyn KvStore, body: Vec<u8>) -> Response<Vec<u8>> {
    let request = Request::builder()
        .method("POST")
        .uri("/v1/definition/template/adl1.4")
        .header("content-type", "application/xml")
        .body(body)
        .expect("valid request");
    handle(request, store, &allowing())
}

fn get(store: &dyn KvStore, uri: &str, accept: &str) -> Response<Vec<u8>> {
    send(store, &allowing(), "GET", uri, &[("accept", accept)])
}

fn body(response: &Response<Vec<u8>>) -> Value {
    serde_json::from_slice(response.body())
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(response.body())))
}

fn item(id: &str) -> String {
    format!("/v1/definition/template/adl1.4/{id}")
}

#[test]
fn deletes_are_405_unless_allowed() {
    let store = MemoryStore::new();
    assert_eq!(upload(&store, opt(ID, "a")).status(), 201);
    for uri in [item(ID), format!("/rest/v1/template/{ID}")] {
        let refused = send(&store, &Config::default(), "DELETE", &uri, &[]);
        assert_eq!(refused.status(), 405, "{uri}");
        assert_eq!(refused.headers()["allow"], "GET, OPTIONS");
        assert_eq!(body(&refused)["error"], "Method Not Allowed");
    }
    assert_eq!(get(&store, &item(ID), "application/xml").status(), 200, "nothing was deleted");
    let preflight = send(&store, &allowing(), "OPTIONS", &item(ID), &[]);
    assert_eq!(preflight.headers()["access-control-allow-methods"], "GET, DELETE, OPTIONS");
}

#[test]
fn a_deleted_template_is_gone_from_every_read_and_its_id_can_be_uploaded_again() {
    let store = MemoryStore::new();
    assert_eq!(upload(&store, opt(ID, "first")).status(), 201);
    assert_eq!(upload(&store, opt("other.template", "kept")).status(), 201);
    let deleted = send(&store, &allowing(), "DELETE", &item(ID), &[]);
    assert_eq!(deleted.status(), 204);
    assert!(deleted.body().is_empty());

    for accept in ["application/xml", "application/openehr.wt+json"] {
        assert_eq!(get(&store, &item(ID), accept).status(), 404, "{accept}");
    }
    assert_eq!(get(&store, &format!("/rest/v1/template/{ID}"), "*/*").status(), 404);
    assert_eq!(get(&store, &format!("/rest/v1/template/{ID}/opt"), "*/*").status(), 404);
    let listed = body(&get(&store, "/v1/definition/template/adl1.4", "application/json"));
    let ids: Vec<&str> = listed.as_array().expect("array").iter().filter_map(|t| t["template_id"].as_str()).collect();
    assert_eq!(ids, ["other.template"]);
    assert_eq!(send(&store, &allowing(), "DELETE", &item(ID), &[]).status(), 404, "already gone");

    assert_eq!(upload(&store, opt(ID, "second")).status(), 201, "the id is free again");
    let again = get(&store, &item(ID), "application/xml");
    assert_eq!(again.status(), 200);
    assert_eq!(again.body(), &opt(ID, "second"));
    assert_eq!(upload(&store, opt(ID, "third")).status(), 409);
}

#[test]
fn ehrscape_delete_answers_its_action() {
    let store = MemoryStore::new();
    assert_eq!(upload(&store, opt(ID, "a")).status(), 201);
    let deleted = send(&store, &allowing(), "DELETE", &format!("/rest/v1/template/{ID}"), &[]);
    assert_eq!(deleted.status(), 200);
    assert_eq!(body(&deleted), json!({"action": "DELETE", "templateId": ID}));
    assert_eq!(get(&store, &item(ID), "application/xml").status(), 404);
    let missing = send(&store, &allowing(), "DELETE", "/rest/v1/template/no.such", &[]);
    assert_eq!(missing.status(), 404);
    assert_eq!(body(&missing)["error"], "Not Found");
}

#[test]
fn deletes_are_write_protected_and_check_the_id() {
    let store = MemoryStore::new();
    assert_eq!(upload(&store, opt(ID, "a")).status(), 201);
    let config = Config { write_token: Some("s3cret".into()), ..allowing() };
    assert_eq!(send(&store, &config, "DELETE", &item(ID), &[]).status(), 401);
    assert_eq!(send(&store, &config, "DELETE", &item(ID), &[("authorization", "Bearer wrong")]).status(), 401);
    assert_eq!(get(&store, &item(ID), "application/xml").status(), 200);
    assert_eq!(send(&store, &config, "DELETE", &item(ID), &[("authorization", "Bearer s3cret")]).status(), 204);
    let malformed = send(&store, &allowing(), "DELETE", &item("%20"), &[]);
    assert_eq!(malformed.status(), 400);
}

/// A template stored before deletion existed (its cache value written without a `pending` marker)
/// is deleted all the same.
#[test]
fn templates_stored_by_the_older_layout_are_deleted_too() {
    let store = MemoryStore::new();
    assert_eq!(upload(&store, opt(ID, "old")).status(), 201);
    // The older upload left no marker history: only its live value, or nothing after a crash.
    let key = format!("opt14/id/{ID}");
    store.delete(&key).expect("memory store");
    assert_eq!(get(&store, &item(ID), "application/xml").status(), 200, "served from the index");
    assert_eq!(send(&store, &allowing(), "DELETE", &item(ID), &[]).status(), 204);
    assert_eq!(get(&store, &item(ID), "application/xml").status(), 404);
}
