//! The template index's layout seen through `handle`: while it fits one value the root holds the
//! records (its first line is the list answer), beyond that it names shards whose first lines join into
//! the list; it follows every upload, and an index in the older one-array layout still serves.

mod common;

use common::ChunksInMemory;
use http::{Request, Response};
use openehr_defs_api::{Config, KvStore, MemoryStore, handle};
use std::path::PathBuf;

const LIST: &str = "/v1/definition/template/adl1.4";

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/opt14/valid").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn send(store: &MemoryStore, method: &str, uri: &str, body: Vec<u8>) -> Response<Vec<u8>> {
    let request = Request::builder().method(method).uri(uri).header("content-type", "application/xml").body(body);
    handle(request.expect("valid request"), store as &dyn KvStore, &Config::default())
}

fn list_ids(store: &MemoryStore) -> Vec<String> {
    let response = send(store, "GET", LIST, Vec::new());
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let items: Vec<serde_json::Value> = serde_json::from_slice(response.body()).expect("list is JSON");
    items.iter().map(|i| i["template_id"].as_str().expect("template_id").to_owned()).collect()
}

/// The root's shard keys, in order (none while the root is inline).
fn shard_keys(store: &MemoryStore) -> Vec<String> {
    let root = store.get("opt14/index").expect("store works").expect("root written");
    if root.first() == Some(&b'[') {
        return Vec::new();
    }
    let root: serde_json::Value = serde_json::from_slice(&root).expect("a sharded root is JSON");
    root["shards"].as_array().expect("shards").iter().map(|s| s["key"].as_str().expect("key").to_owned()).collect()
}

fn send_with(store: &MemoryStore, config: &Config, method: &str, uri: &str, body: Vec<u8>) -> Response<Vec<u8>> {
    let request = Request::builder().method(method).uri(uri).header("content-type", "application/xml").body(body);
    handle(request.expect("valid request"), store as &dyn KvStore, config)
}

#[test]
fn a_small_index_is_its_root_whose_first_line_is_the_list() {
    let store = MemoryStore::new();
    assert_eq!(send(&store, "GET", LIST, Vec::new()).body(), b"[]");
    let first = fixture("ehrbase_integration_test__opt__minimal_action.opt");
    let second = fixture("ehrbase_integration_test__all_types__Corona_Anamnese.opt");
    assert_eq!(send(&store, "POST", LIST, first).status(), 201);
    assert_eq!(list_ids(&store), ["minimal_action.en.v1_{{randomize}}"]);
    assert_eq!(send(&store, "POST", LIST, second).status(), 201);
    assert_eq!(list_ids(&store), ["Corona_Anamnese", "minimal_action.en.v1_{{randomize}}"]);

    assert_eq!(shard_keys(&store), Vec::<String>::new(), "two records fit the root");
    let root = store.get("opt14/index").expect("store works").expect("root written");
    let newline = root.iter().position(|&b| b == b'\n').expect("two lines");
    assert_eq!(&root[..newline], send(&store, "GET", LIST, Vec::new()).body().as_slice());
    let bodies: Vec<serde_json::Value> = serde_json::from_slice(&root[newline + 1..]).expect("line 2 is JSON");
    assert_eq!(bodies.len(), 2);
    assert!(bodies[0]["etag"].as_str().is_some_and(|e| e.starts_with('"')));
    assert_eq!(bodies[0]["write"].as_str().map(str::len), Some(32), "each record carries its write id");
    assert_ne!(bodies[0]["write"], bodies[1]["write"]);
}

#[test]
fn an_index_outgrowing_one_value_is_sharded_and_lists_the_same() {
    let store = MemoryStore::new();
    let config = Config { max_value_bytes: 2048, ..Config::default() };
    let template = String::from_utf8(fixture("ehrbase_integration_test__opt__minimal_action.opt")).expect("UTF-8");
    let mut ids = Vec::new();
    for i in (0..12).rev() {
        let id = format!("grow.{i:02}");
        let body = template.replace("minimal_action.en.v1_{{randomize}}", &id).into_bytes();
        assert_eq!(send_with(&store, &config, "POST", LIST, body).status(), 201, "{id}");
        ids.insert(0, id.clone());
        let listed = send_with(&store, &config, "GET", LIST, Vec::new());
        let items: Vec<serde_json::Value> = serde_json::from_slice(listed.body()).expect("list is JSON");
        let listed: Vec<&str> = items.iter().map(|i| i["template_id"].as_str().expect("id")).collect();
        assert_eq!(listed, ids, "after {id}");
    }
    let shards = shard_keys(&store);
    assert!(shards.len() > 2, "{shards:?}");
    // Every shard the store holds is one the root names: the replaced ones were deleted.
    let stored: Vec<String> = store.keys().into_iter().filter(|k| k.starts_with("opt14/shard/")).collect();
    let mut named = shards.clone();
    named.sort();
    assert_eq!(stored, named);
    let got = send_with(&store, &config, "GET", &format!("{LIST}/grow.05"), Vec::new());
    assert_eq!(got.status(), 200);
}

#[test]
fn an_index_in_the_older_one_array_layout_lists_serves_and_is_rewritten() {
    let store = MemoryStore::new();
    let body = fixture("ehrbase_integration_test__opt__minimal_action.opt");
    assert_eq!(send(&store, "POST", LIST, body.clone()).status(), 201);
    let uri = format!("{LIST}/{}", openehr_defs_api::encode_segment("minimal_action.en.v1_{{randomize}}"));
    let etag = send(&store, "GET", &uri, Vec::new()).headers()["etag"].clone();

    // What the older layout stored: one array of flat entries, no cache value for the fallback to skip.
    let value = store.get("opt14/id/minimal_action.en.v1_{{randomize}}").expect("store works").expect("record");
    // The record's JSON; a copy of the body follows it after a newline.
    let newline = value.iter().position(|&b| b == b'\n').expect("the record value holds the body too");
    assert_eq!(&value[newline + 1..], body.as_slice());
    let record = &value[..newline];
    let mut legacy = b"[".to_vec();
    legacy.extend_from_slice(record);
    legacy.push(b']');
    store.set("opt14/index", &legacy).expect("store works");
    store.delete("opt14/id/minimal_action.en.v1_{{randomize}}").expect("store works");

    let listed = send(&store, "GET", LIST, Vec::new());
    assert_eq!(listed.status(), 200);
    let items: Vec<serde_json::Value> = serde_json::from_slice(listed.body()).expect("list is JSON");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].as_object().map(|o| o.len()), Some(4), "only the list fields: {}", items[0]);
    let got = send(&store, "GET", &uri, Vec::new());
    assert_eq!(got.status(), 200);
    assert_eq!(got.headers()["etag"], etag);
    assert_eq!(got.body(), &body);

    let other = fixture("ehrbase_integration_test__all_types__Corona_Anamnese.opt");
    assert_eq!(send(&store, "POST", LIST, other).status(), 201);
    let root = store.get("opt14/index").expect("store works").expect("root");
    assert_eq!(root.iter().filter(|&&b| b == b'\n').count(), 1, "rewritten as a two-line inline root");
    assert_eq!(list_ids(&store), ["Corona_Anamnese", "minimal_action.en.v1_{{randomize}}"]);
    let got = send(&store, "GET", &uri, Vec::new());
    assert_eq!(got.body(), &body, "the older template still serves after the rewrite");
}

/// Stored data this API cannot read is its own fault, not the client's nor the backend's availability:
/// 500 with a generic message (the detail goes to the log), never a panic, never the stored bytes.
#[test]
fn a_garbled_index_is_a_500_that_shows_nothing_stored() {
    let store = MemoryStore::new();
    let generic = |response: &Response<Vec<u8>>| {
        let body: serde_json::Value = serde_json::from_slice(response.body()).expect("a JSON error");
        assert_eq!(body["error"], "Internal Server Error");
        assert_eq!(body["message"], "internal error: the stored data could not be read");
        assert!(response.headers().get("retry-after").is_none());
    };
    for garbage in [&b"[{\"template_id\":1}]"[..], b"\n", b"[]\n[{}]", b"\xff"] {
        store.set("opt14/index", garbage).expect("store works");
        let response = send(&store, "GET", &format!("{LIST}/a.b"), Vec::new());
        assert_eq!(response.status(), 500, "{:?}", String::from_utf8_lossy(garbage));
        generic(&response);
        let upload = send(&store, "POST", LIST, fixture("ehrbase_integration_test__opt__minimal_action.opt"));
        assert_eq!(upload.status(), 500, "{:?}", String::from_utf8_lossy(garbage));
    }
    let missing_shard = br#"{"shards":[{"key":"opt14/shard/gone.0.0","first":["a",null],"n":1}]}"#;
    for garbage in [&b"\n"[..], b"{}\n[]", b"\xff", b"[1", b"{\"shards\":7}", missing_shard] {
        store.set("opt14/index", garbage).expect("store works");
        let response = send(&store, "GET", LIST, Vec::new());
        assert_eq!(response.status(), 500, "{:?}", String::from_utf8_lossy(garbage));
        generic(&response);
    }
}

/// Where chunks are served from memory, a template's cache value is its record alone (a copy of the
/// body there would be read from the backend on every GET); the GET answers the same bytes and ETag.
#[test]
fn a_store_keeping_chunks_in_memory_gets_cache_values_without_a_body_copy() {
    let body = fixture("ehrbase_integration_test__opt__minimal_action.opt");
    let uri = format!("{LIST}/{}", openehr_defs_api::encode_segment("minimal_action.en.v1_{{randomize}}"));
    let key = "opt14/id/minimal_action.en.v1_{{randomize}}";
    let send_to = |store: &dyn KvStore, method: &str, uri: &str, body: Vec<u8>| {
        let request = Request::builder().method(method).uri(uri).header("content-type", "application/xml").body(body);
        handle(request.expect("valid request"), store, &Config::default())
    };

    let copying = MemoryStore::new();
    assert_eq!(send_to(&copying, "POST", LIST, body.clone()).status(), 201);
    let with_copy = copying.get(key).expect("store works").expect("cache value");
    assert!(with_copy.ends_with(&body), "a plain store's cache value carries the body");

    let in_memory = ChunksInMemory(MemoryStore::new());
    assert_eq!(send_to(&in_memory, "POST", LIST, body.clone()).status(), 201);
    let record = in_memory.get(key).expect("store works").expect("cache value");
    assert!(!record.contains(&b'\n'), "no body copy: {}", String::from_utf8_lossy(&record));
    let record: serde_json::Value = serde_json::from_slice(&record).expect("the record alone is JSON");
    assert_eq!(record["template_id"], "minimal_action.en.v1_{{randomize}}", "{record}");

    let got = send_to(&in_memory, "GET", &uri, Vec::new());
    assert_eq!(got.status(), 200);
    assert_eq!(got.body(), &body);
    assert_eq!(got.headers()["etag"], send_to(&copying, "GET", &uri, Vec::new()).headers()["etag"]);
}
