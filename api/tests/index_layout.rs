//! The template index's sharded layout seen through `handle`: the list is the shards' first lines
//! joined, it follows every upload, and an index written in an older one-value layout still serves
//! and is sharded by the next upload.

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

/// The root's shard keys, in order.
fn shard_keys(store: &MemoryStore) -> Vec<String> {
    let root = store.get("opt14/index").expect("store works").expect("root written");
    let root: serde_json::Value = serde_json::from_slice(&root).expect("the root is JSON");
    root["shards"].as_array().expect("shards").iter().map(|s| s["key"].as_str().expect("key").to_owned()).collect()
}

#[test]
fn the_list_follows_every_upload_and_is_the_shards_first_line() {
    let store = MemoryStore::new();
    assert_eq!(send(&store, "GET", LIST, Vec::new()).body(), b"[]");
    let first = fixture("ehrbase_integration_test__opt__minimal_action.opt");
    let second = fixture("ehrbase_integration_test__all_types__Corona_Anamnese.opt");
    assert_eq!(send(&store, "POST", LIST, first).status(), 201);
    assert_eq!(list_ids(&store), ["minimal_action.en.v1_{{randomize}}"]);
    let before = shard_keys(&store);
    assert_eq!(send(&store, "POST", LIST, second).status(), 201);
    assert_eq!(list_ids(&store), ["Corona_Anamnese", "minimal_action.en.v1_{{randomize}}"]);

    let keys = shard_keys(&store);
    assert_eq!(keys.len(), 1, "two small records fit one shard");
    assert!(keys[0].starts_with("opt14/shard/"), "{keys:?}");
    assert_eq!(store.get(&before[0]).expect("store works"), None, "the replaced shard is deleted");
    let shard = store.get(&keys[0]).expect("store works").expect("shard written");
    let newline = shard.iter().position(|&b| b == b'\n').expect("two lines");
    assert_eq!(&shard[..newline], send(&store, "GET", LIST, Vec::new()).body().as_slice());
    let bodies: Vec<serde_json::Value> = serde_json::from_slice(&shard[newline + 1..]).expect("line 2 is JSON");
    assert_eq!(bodies.len(), 2);
    assert!(bodies[0]["etag"].as_str().is_some_and(|e| e.starts_with('"')));
    assert_eq!(bodies[0]["write"].as_str().map(str::len), Some(32), "each record carries its write id");
    assert_ne!(bodies[0]["write"], bodies[1]["write"]);
}

#[test]
fn an_index_in_the_older_one_array_layout_lists_serves_and_is_rewritten() {
    let store = MemoryStore::new();
    let body = fixture("ehrbase_integration_test__opt__minimal_action.opt");
    assert_eq!(send(&store, "POST", LIST, body.clone()).status(), 201);
    let uri = format!("{LIST}/{}", openehr_defs_api::encode_segment("minimal_action.en.v1_{{randomize}}"));
    let etag = send(&store, "GET", &uri, Vec::new()).headers()["etag"].clone();

    // What the older layout stored: one array of flat entries, no cache value for the fallback to skip.
    let record = store.get("opt14/id/minimal_action.en.v1_{{randomize}}").expect("store works").expect("record");
    let mut legacy = b"[".to_vec();
    legacy.extend_from_slice(&record);
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
    assert_eq!(shard_keys(&store).len(), 1, "rewritten as a sharded root");
    assert_eq!(list_ids(&store), ["Corona_Anamnese", "minimal_action.en.v1_{{randomize}}"]);
    let got = send(&store, "GET", &uri, Vec::new());
    assert_eq!(got.body(), &body, "the older template still serves after the rewrite");
}

#[test]
fn an_index_in_the_two_line_layout_lists_and_is_sharded_by_the_next_upload() {
    let store = MemoryStore::new();
    let body = fixture("ehrbase_integration_test__opt__minimal_action.opt");
    assert_eq!(send(&store, "POST", LIST, body.clone()).status(), 201);
    let record: serde_json::Value = serde_json::from_slice(
        &store.get("opt14/id/minimal_action.en.v1_{{randomize}}").expect("store works").expect("record"),
    )
    .expect("record is JSON");
    let item = serde_json::json!({"template_id": record["template_id"], "concept": record["concept"],
        "archetype_id": record["archetype_id"], "created_timestamp": record["created_timestamp"]});
    let private = serde_json::json!({"etag": record["etag"], "size": record["size"], "chunks": record["chunks"]});
    let two_lines = format!("[{item}]\n[{private}]");
    store.set("opt14/index", two_lines.as_bytes()).expect("store works");
    store.delete("opt14/id/minimal_action.en.v1_{{randomize}}").expect("store works");

    assert_eq!(send(&store, "GET", LIST, Vec::new()).body(), format!("[{item}]").as_bytes());
    let other = fixture("ehrbase_integration_test__all_types__Corona_Anamnese.opt");
    assert_eq!(send(&store, "POST", LIST, other).status(), 201);
    assert_eq!(shard_keys(&store).len(), 1);
    assert_eq!(list_ids(&store), ["Corona_Anamnese", "minimal_action.en.v1_{{randomize}}"]);
    let uri = format!("{LIST}/{}", openehr_defs_api::encode_segment("minimal_action.en.v1_{{randomize}}"));
    assert_eq!(send(&store, "GET", &uri, Vec::new()).body(), &body);
}

#[test]
fn a_garbled_index_is_a_503_not_a_panic() {
    let store = MemoryStore::new();
    for garbage in [&b"[{\"template_id\":1}]"[..], b"\n", b"[]\n[{}]", b"\xff"] {
        store.set("opt14/index", garbage).expect("store works");
        let response = send(&store, "GET", &format!("{LIST}/a.b"), Vec::new());
        assert_eq!(response.status(), 503, "{:?}", String::from_utf8_lossy(garbage));
        let upload = send(&store, "POST", LIST, fixture("ehrbase_integration_test__opt__minimal_action.opt"));
        assert_eq!(upload.status(), 503, "{:?}", String::from_utf8_lossy(garbage));
    }
    let missing_shard = br#"{"shards":[{"key":"opt14/shard/gone.0.0","first":["a",null],"n":1}]}"#;
    for garbage in [&b"\n"[..], b"{}\n[]", b"\xff", b"[1", b"{\"shards\":7}", missing_shard] {
        store.set("opt14/index", garbage).expect("store works");
        assert_eq!(send(&store, "GET", LIST, Vec::new()).status(), 503, "{:?}", String::from_utf8_lossy(garbage));
    }
}
