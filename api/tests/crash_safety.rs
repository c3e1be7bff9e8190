//! "Nothing half-written survives a kill between the writes of one upload": every write an upload
//! makes is a point where the process may die. For each such point, the store is left exactly as
//! the writes before it left it, and a fresh request over that store must see the upload either
//! completely (listed and byte-identical) or not at all (not listed, 404) — never in between.

use std::cell::Cell;

use http::{Method, Request, Response, StatusCode};
use openehr_defs_api::{Config, KvStore, MemoryStore, StoreError, handle};

/// A store whose process "dies" after `budget` writes: later writes fail and change nothing. With
/// `chunks_in_memory` it says so as the native server's store does, and the API writes that layout
/// (template cache values without a copy of the body).
struct DyingStore<'a> {
    inner: &'a MemoryStore,
    budget: Cell<usize>,
    writes: Cell<usize>,
    chunks_in_memory: bool,
}

impl<'a> DyingStore<'a> {
    fn new(inner: &'a MemoryStore, budget: usize, chunks_in_memory: bool) -> Self {
        DyingStore { inner, budget: Cell::new(budget), writes: Cell::new(0), chunks_in_memory }
    }

    fn write(&self) -> Result<(), StoreError> {
        self.writes.set(self.writes.get() + 1);
        match self.budget.get() {
            0 => Err(StoreError::unavailable("killed")),
            n => {
                self.budget.set(n - 1);
                Ok(())
            }
        }
    }
}

impl KvStore for DyingStore<'_> {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.write()?;
        self.inner.set(key, value)
    }
    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.write()?;
        self.inner.delete(key)
    }
    fn increment(&self, key: &str, delta: i64) -> Result<i64, StoreError> {
        self.write()?;
        self.inner.increment(key, delta)
    }
    fn compare_and_swap(&self, key: &str, expected: Option<&[u8]>, new: &[u8]) -> Result<bool, StoreError> {
        self.write()?;
        self.inner.compare_and_swap(key, expected, new)
    }
    fn caches_immutable_values(&self) -> bool {
        self.chunks_in_memory
    }
}

fn send(store: &dyn KvStore, method: Method, path: &str, content_type: &str, body: Vec<u8>) -> Response<Vec<u8>> {
    let request = Request::builder()
        .method(method)
        .uri(format!("/v1{path}"))
        .header("Content-Type", content_type)
        .body(body)
        .unwrap();
    // A kill between an index's claim and its creation makes the next request wait this long first.
    let config =
        Config { first_use_wait: std::time::Duration::from_millis(20), allow_delete: true, ..Config::default() };
    handle(request, store, &config)
}

fn get(store: &dyn KvStore, path: &str) -> Response<Vec<u8>> {
    send(store, Method::GET, path, "text/plain", Vec::new())
}

fn fixture(relative: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../tests/fixtures/{relative}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A real OPT padded past three 1 MiB chunks with a comment, so its body spans several writes.
fn large_opt() -> Vec<u8> {
    let text = String::from_utf8(fixture("opt14/valid/ehrbase_integration_test__opt__minimal_action.opt")).unwrap();
    let padding = format!("<!--{}-->", "x".repeat(3 * 1024 * 1024 + 17));
    text.replacen("<template ", &format!("{padding}\n<template "), 1).into_bytes()
}

/// The status a clean upload answers (201 for templates, 200 for stored queries).
fn status_of_success(upload: &impl Fn(&dyn KvStore) -> Response<Vec<u8>>) -> StatusCode {
    upload(&MemoryStore::new()).status()
}

/// Runs `upload` against a store that dies after 0, 1, 2, … writes until one run completes,
/// checking `visible_entirely_or_not_at_all` after each death. Returns how many writes it took.
fn at_every_write(
    upload: impl Fn(&dyn KvStore) -> Response<Vec<u8>>,
    visible_entirely_or_not_at_all: impl Fn(&MemoryStore) -> bool,
    chunks_in_memory: bool,
) -> usize {
    for budget in 0..1000 {
        let persisted = MemoryStore::new();
        let dying = DyingStore::new(&persisted, budget, chunks_in_memory);
        let response = upload(&dying);
        if dying.writes.get() <= budget {
            // Every write went through: the upload completed and must be visible.
            assert!(response.status().is_success(), "completed upload answered {}", response.status());
            assert!(visible_entirely_or_not_at_all(&persisted), "completed upload is not fully visible");
            return budget;
        }
        let visible = visible_entirely_or_not_at_all(&persisted);
        let status = response.status();
        // The client hears 503 (the backend failed), or success when only a post-commit write died.
        assert!(
            status == StatusCode::SERVICE_UNAVAILABLE || (status.is_success() && visible),
            "killed after {budget} writes: {status}, visible: {visible}"
        );
        assert!(!(budget == 0 && visible), "nothing can be visible before the first write");
        // Whatever survived, retrying over the same store finishes the job: the upload is stored
        // (or was already, and the retry says so with 409), and the store is consistent.
        let retry = upload(&persisted).status();
        let expected_retry = if visible { StatusCode::CONFLICT } else { status_of_success(&upload) };
        assert_eq!(retry, expected_retry, "retry after a kill at write {budget}");
        assert!(visible_entirely_or_not_at_all(&persisted), "after the retry");
    }
    panic!("the upload never completed");
}

#[test]
fn a_large_opt_upload_killed_at_any_write_is_all_or_nothing() {
    opt_upload_killed_at_any_write(false);
}

#[test]
fn a_large_opt_upload_killed_at_any_write_is_all_or_nothing_in_the_native_layout() {
    opt_upload_killed_at_any_write(true);
}

fn opt_upload_killed_at_any_write(chunks_in_memory: bool) {
    let body = large_opt();
    let id = "minimal_action.en.v1_%7B%7Brandomize%7D%7D";
    let writes = at_every_write(
        |store| send(store, Method::POST, "/definition/template/adl1.4", "application/xml", body.clone()),
        |persisted| {
            let listed = String::from_utf8(get(persisted, "/definition/template/adl1.4").into_body()).unwrap();
            let fetched = get(persisted, &format!("/definition/template/adl1.4/{id}"));
            let is_listed = listed.contains("minimal_action.en.v1_{{randomize}}");
            match fetched.status() {
                StatusCode::OK => {
                    assert!(is_listed, "served but not listed");
                    assert!(fetched.body() == &body, "served bytes differ from the upload");
                    true
                }
                StatusCode::NOT_FOUND => {
                    assert!(!is_listed, "listed but not served");
                    false
                }
                other => panic!("GET answered {other}"),
            }
        },
        chunks_in_memory,
    );
    assert!(writes >= 4, "a 3 MiB body should take several writes, took {writes}");
}

#[test]
fn a_stored_query_put_killed_at_any_write_is_all_or_nothing() {
    let query = b"SELECT c FROM EHR e CONTAINS COMPOSITION c".to_vec();
    at_every_write(
        |store| send(store, Method::PUT, "/definition/query/org.example::crash/1.0.0", "text/plain", query.clone()),
        |persisted| {
            let fetched = get(persisted, "/definition/query/org.example::crash/1.0.0");
            let listed = String::from_utf8(get(persisted, "/definition/query/org.example").into_body()).unwrap();
            match fetched.status() {
                StatusCode::OK => {
                    let body = String::from_utf8(fetched.into_body()).unwrap();
                    assert!(body.contains("CONTAINS COMPOSITION c"), "{body}");
                    assert!(listed.contains("org.example::crash"), "served but not listed: {listed}");
                    true
                }
                StatusCode::NOT_FOUND => {
                    assert!(!listed.contains("org.example::crash"), "listed but not served: {listed}");
                    false
                }
                other => panic!("GET answered {other}"),
            }
        },
        false,
    );
}

#[test]
fn an_adl2_upload_killed_at_any_write_is_all_or_nothing() {
    let body = fixture("adl2/openehr_archie__flattener__openEHR-EHR-COMPOSITION.blood_pressure.v1.0.0.adlt");
    at_every_write(
        |store| send(store, Method::POST, "/definition/template/adl2", "text/plain", body.clone()),
        |persisted| {
            let listed = String::from_utf8(get(persisted, "/definition/template/adl2").into_body()).unwrap();
            let fetched = get(persisted, "/definition/template/adl2/openEHR-EHR-COMPOSITION.blood_pressure/1.0.0");
            match fetched.status() {
                StatusCode::OK => {
                    assert!(fetched.body() == &body, "served bytes differ from the upload");
                    assert!(listed.contains("blood_pressure"), "served but not listed: {listed}");
                    true
                }
                StatusCode::NOT_FOUND => {
                    assert!(!listed.contains("blood_pressure"), "listed but not served: {listed}");
                    false
                }
                other => panic!("GET answered {other}"),
            }
        },
        false,
    );
}

/// A delete killed at any write leaves the template entirely there (listed and served, byte for byte) or
/// entirely gone (not listed, 404 for the XML and the web template); a retry finishes it, and the id can
/// be uploaded again.
#[test]
fn a_delete_killed_at_any_write_is_all_or_nothing() {
    delete_killed_at_any_write(false);
}

#[test]
fn a_delete_killed_at_any_write_is_all_or_nothing_in_the_native_layout() {
    delete_killed_at_any_write(true);
}

fn delete_killed_at_any_write(chunks_in_memory: bool) {
    let id = "crash.delete";
    let path = format!("/definition/template/adl1.4/{id}");
    let body = fixture("opt14/valid/ehrbase_integration_test__opt__minimal_action.opt");
    let body = String::from_utf8(body).unwrap().replacen("minimal_action.en.v1_{{randomize}}", id, 1).into_bytes();
    let present = |store: &MemoryStore| {
        let listed = String::from_utf8(get(store, "/definition/template/adl1.4").into_body()).unwrap();
        let xml = get(store, &path);
        let wt_status = {
            let request = Request::builder()
                .uri(format!("/v1{path}"))
                .header("Accept", "application/openehr.wt+json")
                .body(Vec::new())
                .unwrap();
            handle(request, store, &Config::default()).status()
        };
        match xml.status() {
            StatusCode::OK => {
                assert!(listed.contains(id), "served but not listed");
                assert!(xml.body() == &body, "served bytes differ from the upload");
                assert_eq!(wt_status, StatusCode::OK);
                true
            }
            StatusCode::NOT_FOUND => {
                assert!(!listed.contains(id), "listed but not served");
                assert_eq!(wt_status, StatusCode::NOT_FOUND, "the web template outlived its OPT");
                false
            }
            other => panic!("GET answered {other}"),
        }
    };
    for budget in 0..100 {
        let persisted = MemoryStore::new();
        let uploader = DyingStore::new(&persisted, usize::MAX, chunks_in_memory);
        let upload = send(&uploader, Method::POST, "/definition/template/adl1.4", "application/xml", body.clone());
        assert_eq!(upload.status(), StatusCode::CREATED);
        // The web template is cached, so a deletion must hide it too.
        let request =
            Request::builder().uri(format!("/v1{path}")).header("Accept", "application/json").body(Vec::new());
        assert_eq!(handle(request.unwrap(), &persisted, &Config::default()).status(), StatusCode::OK);
        let dying = DyingStore::new(&persisted, budget, chunks_in_memory);
        let response = send(&dying, Method::DELETE, &path, "text/plain", Vec::new());
        let visible = present(&persisted);
        if dying.writes.get() <= budget {
            assert_eq!(response.status(), StatusCode::NO_CONTENT);
            assert!(!visible, "a completed delete left the template visible");
            assert!(budget >= 2, "a delete marks the cache value, then commits: {budget} writes");
            let again = send(&persisted, Method::POST, "/definition/template/adl1.4", "application/xml", body.clone());
            assert_eq!(again.status(), StatusCode::CREATED, "the id is free again");
            assert!(present(&persisted));
            return;
        }
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "killed after {budget} writes");
        let retry = send(&persisted, Method::DELETE, &path, "text/plain", Vec::new()).status();
        assert_eq!(retry, if visible { StatusCode::NO_CONTENT } else { StatusCode::NOT_FOUND }, "budget {budget}");
        assert!(!present(&persisted), "after the retry");
    }
    panic!("the delete never completed");
}
