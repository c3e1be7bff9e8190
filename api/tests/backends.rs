//! The storage protocol on backends that behave like Spin's, defects included (see `edge/README.md`):
//! - `Upsert`: Spin's SQLite store, where a compare-and-swap of an ABSENT key always writes;
//! - `LyingSwap`: Spin's Redis store, where every swap reports failure, written or not;
//! - `ErrAfterWrite`: a backend whose swap writes and then fails with an error;
//! - `Limited`: a backend that refuses values over a size limit and counts every operation;
//! - `ChunksInMemory`: the native server's layout (template cache values without a body copy).
//!
//! Each must give the API's guarantees: no acknowledged write lost or duplicated, exactly one 201 among
//! racing uploads of one id, N distinct listed versions for N acknowledged PUTs, failures answered as
//! failures; and no value over the limit, listing in a bounded number of reads, one CAS per commit.

mod common;

use common::ChunksInMemory;
use http::{Request, Response};
use openehr_defs_api::{Config, KvStore, MemoryStore, StoreError, handle};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

// ------------------------------------------------------------------ backends

/// Spin's SQLite store: `swap` after a `current()` that saw no row is `INSERT … ON CONFLICT DO UPDATE`.
struct Upsert(MemoryStore);

/// Spin's Redis store: `MULTI/SET/EXEC` then a rejected `UNWATCH`, so `swap` always says "failed".
struct LyingSwap(MemoryStore);

/// A swap that writes and then fails with a backend error (a connection lost after EXEC).
struct ErrAfterWrite(MemoryStore);

macro_rules! delegate_plain_ops {
    () => {
        fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
            std::thread::yield_now(); // widen race windows between threads
            self.0.get(key)
        }
        fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
            self.0.set(key, value)
        }
        fn delete(&self, key: &str) -> Result<(), StoreError> {
            self.0.delete(key)
        }
        fn increment(&self, key: &str, delta: i64) -> Result<i64, StoreError> {
            self.0.increment(key, delta)
        }
    };
}

impl KvStore for Upsert {
    delegate_plain_ops!();
    fn compare_and_swap(&self, key: &str, expected: Option<&[u8]>, new: &[u8]) -> Result<bool, StoreError> {
        match expected {
            None => self.0.set(key, new).map(|()| true),
            Some(_) => self.0.compare_and_swap(key, expected, new),
        }
    }
}

impl KvStore for LyingSwap {
    delegate_plain_ops!();
    fn compare_and_swap(&self, key: &str, expected: Option<&[u8]>, new: &[u8]) -> Result<bool, StoreError> {
        self.0.compare_and_swap(key, expected, new)?;
        Ok(false)
    }
}

impl KvStore for ErrAfterWrite {
    delegate_plain_ops!();
    fn compare_and_swap(&self, key: &str, expected: Option<&[u8]>, new: &[u8]) -> Result<bool, StoreError> {
        if self.0.compare_and_swap(key, expected, new)? {
            return Err(StoreError::unavailable("connection reset after EXEC"));
        }
        Ok(false)
    }
}

/// Refuses any value over `limit` bytes (nothing written), and counts operations.
struct Limited {
    inner: MemoryStore,
    limit: usize,
    gets: AtomicUsize,
    swaps: AtomicUsize,
    largest: AtomicUsize,
}

impl Limited {
    /// The store, and the API configured with the same limit on this thread.
    fn new(limit: usize) -> Self {
        MAX_VALUE_BYTES.with(|max| max.set(limit));
        Limited {
            inner: MemoryStore::new(),
            limit,
            gets: AtomicUsize::new(0),
            swaps: AtomicUsize::new(0),
            largest: AtomicUsize::new(0),
        }
    }

    fn check(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        if value.len() > self.limit {
            return Err(StoreError::unavailable(format!(
                "{key}: {} bytes, over the limit of {}",
                value.len(),
                self.limit
            )));
        }
        self.largest.fetch_max(value.len(), Ordering::Relaxed);
        Ok(())
    }

    /// (gets, swaps) since the last call.
    fn take_counts(&self) -> (usize, usize) {
        (self.gets.swap(0, Ordering::Relaxed), self.swaps.swap(0, Ordering::Relaxed))
    }
}

impl KvStore for Limited {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.gets.fetch_add(1, Ordering::Relaxed);
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.check(key, value)?;
        self.inner.set(key, value)
    }
    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.inner.delete(key)
    }
    fn increment(&self, key: &str, delta: i64) -> Result<i64, StoreError> {
        self.inner.increment(key, delta)
    }
    fn compare_and_swap(&self, key: &str, expected: Option<&[u8]>, new: &[u8]) -> Result<bool, StoreError> {
        self.check(key, new)?;
        self.swaps.fetch_add(1, Ordering::Relaxed);
        self.inner.compare_and_swap(key, expected, new)
    }
}

// ------------------------------------------------------------------ helpers

thread_local! {
    /// The value limit the API is configured with on this test's thread (the `Limited` tests lower it).
    static MAX_VALUE_BYTES: std::cell::Cell<usize> = const { std::cell::Cell::new(openehr_defs_api::DEFAULT_MAX_VALUE_BYTES) };
}

fn config() -> Config {
    Config {
        first_use_wait: Duration::from_secs(5),
        max_value_bytes: MAX_VALUE_BYTES.with(std::cell::Cell::get),
        allow_delete: true,
        ..Config::default()
    }
}

fn send(store: &dyn KvStore, method: &str, uri: &str, content_type: &str, body: Vec<u8>) -> Response<Vec<u8>> {
    let request = Request::builder().method(method).uri(uri).header("content-type", content_type).body(body);
    handle(request.expect("valid request"), store, &config())
}

fn get(store: &dyn KvStore, uri: &str) -> Response<Vec<u8>> {
    send(store, "GET", uri, "text/plain", Vec::new())
}

fn fixture(relative: &str) -> Vec<u8> {
    let path = format!("{}/../tests/fixtures/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A small real OPT with its template_id replaced.
fn opt_with_id(template_id: &str) -> Vec<u8> {
    let xml = String::from_utf8(fixture("opt14/valid/ehrbase_integration_test__opt__minimal_action.opt")).unwrap();
    let start = xml.find("<template_id>").expect("template_id element");
    let value_start = xml[start..].find("<value>").map(|i| start + i + "<value>".len()).expect("value");
    let value_end = xml[value_start..].find("</value>").map(|i| value_start + i).expect("value end");
    format!("{}{template_id}{}", &xml[..value_start], &xml[value_end..]).into_bytes()
}

fn adl2_with_version(version: &str) -> Vec<u8> {
    let text = String::from_utf8(fixture(
        "adl2/openehr_archie__flattener__openEHR-EHR-COMPOSITION.blood_pressure.v1.0.0.adlt",
    ))
    .unwrap();
    text.replacen("blood_pressure.v1.0.0", &format!("blood_pressure.v{version}"), 1).into_bytes()
}

fn put_query(store: &dyn KvStore, name: &str, text: &str) -> Response<Vec<u8>> {
    send(store, "PUT", &format!("/v1/definition/query/{name}"), "text/plain", text.as_bytes().to_vec())
}

fn upload(store: &dyn KvStore, template_id: &str) -> Response<Vec<u8>> {
    send(store, "POST", "/v1/definition/template/adl1.4", "application/xml", opt_with_id(template_id))
}

fn json(response: &Response<Vec<u8>>) -> serde_json::Value {
    serde_json::from_slice(response.body())
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(response.body())))
}

fn listed_versions(store: &dyn KvStore, name: &str) -> Vec<String> {
    let listed = get(store, &format!("/v1/definition/query/{name}"));
    assert_eq!(listed.status(), 200);
    json(&listed)
        .as_array()
        .expect("array")
        .iter()
        .map(|q| q["version"].as_str().expect("version").to_owned())
        .collect()
}

fn listed_template_ids(store: &dyn KvStore) -> Vec<String> {
    let listed = get(store, "/v1/definition/template/adl1.4");
    assert_eq!(listed.status(), 200);
    json(&listed).as_array().expect("array").iter().map(|t| t["template_id"].as_str().expect("id").to_owned()).collect()
}

/// Runs `write(i)` on `n` threads at once; returns each thread's status and `Location`.
fn race(n: usize, write: impl Fn(usize) -> Response<Vec<u8>> + Sync) -> Vec<(u16, Option<String>)> {
    let barrier = std::sync::Barrier::new(n);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let (barrier, write) = (&barrier, &write);
                scope.spawn(move || {
                    barrier.wait();
                    let response = write(i);
                    let location = response.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
                    (response.status().as_u16(), location)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("writer thread")).collect()
    })
}

// ------------------------------------------------------------------ every faulty backend

fn racing_first_puts_are_all_kept(store: &(dyn KvStore + Sync)) {
    let results = race(24, |i| put_query(store, "org.fresh::q", &format!("SELECT e FROM EHR e -- {i}")));
    let versions: BTreeSet<String> = results
        .iter()
        .map(|(status, location)| {
            assert_eq!(*status, 200, "{results:?}");
            location.clone().expect("Location")
        })
        .collect();
    assert_eq!(versions.len(), 24, "distinct versions acknowledged: {versions:?}");
    assert_eq!(listed_versions(store, "org.fresh::q").len(), 24, "every acknowledged version is listed");
}

fn racing_uploads_of_one_new_id_give_one_201(store: &(dyn KvStore + Sync)) {
    let results = race(24, |_| upload(store, "race.one.id"));
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    let conflicts = results.iter().filter(|(s, _)| *s == 409).count();
    assert_eq!((created, conflicts), (1, 23), "{results:?}");
    assert_eq!(listed_template_ids(store), ["race.one.id"]);
}

fn racing_first_uploads_of_distinct_ids_are_all_kept(store: &(dyn KvStore + Sync)) {
    let results = race(16, |i| upload(store, &format!("race.distinct.{i:02}")));
    assert!(results.iter().all(|(s, _)| *s == 201), "{results:?}");
    let expected: Vec<String> = (0..16).map(|i| format!("race.distinct.{i:02}")).collect();
    assert_eq!(listed_template_ids(store), expected);
}

fn racing_first_adl2_versions_are_all_kept(store: &(dyn KvStore + Sync)) {
    let results = race(8, |i| {
        send(store, "POST", "/v1/definition/template/adl2", "text/plain", adl2_with_version(&format!("1.{i}.0")))
    });
    assert!(results.iter().all(|(s, _)| *s == 201), "{results:?}");
    let listed = json(&get(store, "/v1/definition/template/adl2"));
    assert_eq!(listed.as_array().map(Vec::len), Some(8), "{listed}");
}

fn one_write_is_acknowledged_once(store: &dyn KvStore) {
    let put = put_query(store, "org.single::q", "SELECT e FROM EHR e");
    assert_eq!(put.status(), 200, "{}", String::from_utf8_lossy(put.body()));
    assert_eq!(listed_versions(store, "org.single::q"), ["1.0.0"], "exactly one version stored");
    assert_eq!(upload(store, "single.upload").status(), 201);
    assert_eq!(upload(store, "single.upload").status(), 409);
    assert_eq!(put_query(store, "org.single::q", "SELECT c FROM COMPOSITION c").status(), 200);
    assert_eq!(listed_versions(store, "org.single::q"), ["1.0.0", "2.0.0"]);
}

/// `opt_with_id(id)` told apart from its siblings by a trailing comment.
fn marked(template_id: &str, mark: usize) -> Vec<u8> {
    let mut body = opt_with_id(template_id);
    body.extend_from_slice(format!("<!-- {mark} -->").as_bytes());
    body
}

/// Deletes and uploads of one id racing: every answer is a definite one, and the store stays coherent:
/// the template is served exactly when it is listed, with the bytes of an upload that answered 201, and a
/// final delete removes it from every read (no cache value outlives its template).
fn racing_deletes_and_uploads_of_one_id_stay_consistent(store: &(dyn KvStore + Sync)) {
    let id = "race.delete";
    let item = format!("/v1/definition/template/adl1.4/{id}");
    assert_eq!(send(store, "POST", "/v1/definition/template/adl1.4", "application/xml", marked(id, 100)).status(), 201);
    let results = race(16, |i| {
        if i % 2 == 0 {
            send(store, "DELETE", &item, "text/plain", Vec::new())
        } else {
            send(store, "POST", "/v1/definition/template/adl1.4", "application/xml", marked(id, i))
        }
    });
    for (i, (status, _)) in results.iter().enumerate() {
        let expected: &[u16] = if i % 2 == 0 { &[204, 404] } else { &[201, 409] };
        assert!(expected.contains(status), "writer {i}: {status} ({results:?})");
    }
    assert!(results.iter().any(|(s, _)| *s == 204), "the template existed, so some delete removed it: {results:?}");
    let created: Vec<usize> = (0..16).filter(|i| results[*i].0 == 201).chain([100]).collect();
    let served = get(store, &item);
    let listed = listed_template_ids(store).contains(&id.to_owned());
    match served.status().as_u16() {
        200 => {
            assert!(listed, "served but not listed");
            assert!(created.iter().any(|i| served.body() == &marked(id, *i)), "served bytes of no acknowledged upload");
        }
        404 => assert!(!listed, "listed but not served"),
        other => panic!("GET answered {other}"),
    }
    let last = send(store, "DELETE", &item, "text/plain", Vec::new()).status();
    assert_eq!(last, if listed { 204 } else { 404 });
    assert_eq!(get(store, &item).status(), 404, "a cache value outlived its template");
    assert!(listed_template_ids(store).is_empty());
    assert_eq!(send(store, "POST", "/v1/definition/template/adl1.4", "application/xml", marked(id, 200)).status(), 201);
    assert_eq!(get(store, &item).body(), &marked(id, 200));
}

macro_rules! every_guarantee {
    ($module:ident, $store:expr) => {
        mod $module {
            use super::*;

            #[test]
            fn one_write_is_acknowledged_once() {
                super::one_write_is_acknowledged_once(&$store);
            }

            #[test]
            fn racing_first_puts_are_all_kept() {
                super::racing_first_puts_are_all_kept(&$store);
            }

            #[test]
            fn racing_uploads_of_one_new_id_give_one_201() {
                super::racing_uploads_of_one_new_id_give_one_201(&$store);
            }

            #[test]
            fn racing_first_uploads_of_distinct_ids_are_all_kept() {
                super::racing_first_uploads_of_distinct_ids_are_all_kept(&$store);
            }

            #[test]
            fn racing_first_adl2_versions_are_all_kept() {
                super::racing_first_adl2_versions_are_all_kept(&$store);
            }

            #[test]
            fn racing_deletes_and_uploads_of_one_id_stay_consistent() {
                super::racing_deletes_and_uploads_of_one_id_stay_consistent(&$store);
            }
        }
    };
}

every_guarantee!(atomic, MemoryStore::new());
every_guarantee!(spin_sqlite_upserts_absent_keys, Upsert(MemoryStore::new()));
every_guarantee!(spin_redis_reports_every_swap_failed, LyingSwap(MemoryStore::new()));
every_guarantee!(swap_errs_after_writing, ErrAfterWrite(MemoryStore::new()));
every_guarantee!(native_layout_without_body_copies, ChunksInMemory(MemoryStore::new()));

/// A backend that never keeps a swap: the client must hear a failure, never a success.
#[test]
fn a_backend_that_never_commits_is_answered_as_failure() {
    struct NeverCommits(MemoryStore);
    impl KvStore for NeverCommits {
        delegate_plain_ops!();
        fn compare_and_swap(&self, key: &str, expected: Option<&[u8]>, new: &[u8]) -> Result<bool, StoreError> {
            match expected {
                None => self.0.compare_and_swap(key, None, new), // first use still works
                Some(_) => Err(StoreError::unavailable("read-only replica")),
            }
        }
    }
    let store = NeverCommits(MemoryStore::new());
    assert_eq!(put_query(&store, "org.never::q", "SELECT e FROM EHR e").status(), 503);
    assert_eq!(upload(&store, "never.stored").status(), 503);
    assert!(listed_versions(&store, "org.never::q").is_empty());
    assert!(listed_template_ids(&store).is_empty());
}

/// The claim's winner died before creating the root: the next writer takes over after the wait.
#[test]
fn a_root_whose_creator_died_is_created_after_the_wait() {
    let store = MemoryStore::new();
    assert_eq!(store.increment("claim/query/index", 1).unwrap(), 1, "a claim nobody acted on");
    let config = Config { first_use_wait: Duration::from_millis(30), ..Config::default() };
    let request = Request::builder()
        .method("PUT")
        .uri("/v1/definition/query/org.late::q")
        .header("content-type", "text/plain")
        .body(b"SELECT e FROM EHR e".to_vec())
        .unwrap();
    assert_eq!(handle(request, &store, &config).status(), 200);
    assert_eq!(listed_versions(&store, "org.late::q"), ["1.0.0"]);
}

/// Refuses its first `refusals` increments as SQLite does when another process holds the lock
/// (`database is locked`), and counts every increment asked.
struct LockedIncrements {
    store: MemoryStore,
    refusals: usize,
    asked: AtomicUsize,
}

impl LockedIncrements {
    fn new(refusals: usize) -> Self {
        LockedIncrements { store: MemoryStore::new(), refusals, asked: AtomicUsize::new(0) }
    }
}

impl KvStore for LockedIncrements {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.store.get(key)
    }
    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.store.set(key, value)
    }
    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.store.delete(key)
    }
    fn increment(&self, key: &str, delta: i64) -> Result<i64, StoreError> {
        if self.asked.fetch_add(1, Ordering::SeqCst) < self.refusals {
            return Err(StoreError::unavailable("increment: database is locked"));
        }
        self.store.increment(key, delta)
    }
    fn compare_and_swap(&self, key: &str, expected: Option<&[u8]>, new: &[u8]) -> Result<bool, StoreError> {
        self.store.compare_and_swap(key, expected, new)
    }
}

/// Two `spin up` processes on one SQLite file: a racing first write's claim can fail with
/// `database is locked` (seen under a real Spin 4.1). The claim is tried again, not answered 503.
#[test]
fn a_claim_refused_as_busy_is_tried_again() {
    let store = LockedIncrements::new(2);
    assert_eq!(put_query(&store, "org.busy::q", "SELECT e FROM EHR e").status(), 200);
    assert_eq!(store.asked.load(Ordering::SeqCst), 3, "two refusals, then the claim");
    assert_eq!(listed_versions(&store, "org.busy::q"), ["1.0.0"]);
}

/// A backend that stays unavailable is still answered 503, after a bounded number of tries.
#[test]
fn a_claim_that_stays_unavailable_is_503() {
    let store = LockedIncrements::new(usize::MAX);
    assert_eq!(put_query(&store, "org.busy::q", "SELECT e FROM EHR e").status(), 503);
    assert_eq!(store.asked.load(Ordering::SeqCst), 6);
    assert!(listed_versions(&store, "org.busy::q").is_empty());
}

// ------------------------------------------------------------------ value limit and read counts

const LIMIT: usize = 256 * 1024;

/// Every list item's id, for the scale tests.
fn ids(body: &[u8], field: &str) -> Vec<String> {
    let items: Vec<serde_json::Value> = serde_json::from_slice(body).expect("list is JSON");
    items.iter().map(|i| i[field].as_str().expect("field").to_owned()).collect()
}

#[test]
fn ten_thousand_templates_stay_under_the_limit_list_in_bounded_reads_and_commit_with_one_cas() {
    let store = Limited::new(LIMIT);
    let bodies: Vec<Vec<u8>> = (0..10_000).map(|i| opt_with_id(&format!("scale.template.{i:05}"))).collect();
    let outcome = openehr_defs_api::bulk_upload_opt14(&store, &bodies).expect("bulk upload");
    assert_eq!(outcome.created, 10_000);
    let root: serde_json::Value = serde_json::from_slice(&store.get("opt14/index").unwrap().unwrap()).unwrap();
    let shards = root["shards"].as_array().expect("sharded root").len();
    assert!(shards >= 10, "10 000 records need several 256 KiB shards, got {shards}");
    store.take_counts();

    let listed = get(&store, "/v1/definition/template/adl1.4");
    assert_eq!(listed.status(), 200);
    assert_eq!(ids(listed.body(), "template_id").len(), 10_000);
    assert!(listed.body().len() > 2 * LIMIT, "the answer is larger than any one value");
    assert_eq!(store.take_counts(), (1 + shards, 0), "list: the root and each shard once");

    assert_eq!(upload(&store, "scale.template.05000x").status(), 201);
    let (gets, swaps) = store.take_counts();
    assert_eq!(swaps, 2, "one upload commits with one CAS of the root, then swaps its cache value in");
    assert!(gets <= 6, "an upload reads the root and at most two shards (and its cache key), read {gets}");
    assert_eq!(upload(&store, "scale.template.05000x").status(), 409);
    assert!(store.largest.load(Ordering::Relaxed) <= LIMIT);
    let got = get(&store, "/v1/definition/template/adl1.4/scale.template.09999");
    assert_eq!(got.status(), 200);
    assert_eq!(got.body(), &opt_with_id("scale.template.09999"));
}

#[test]
fn ten_thousand_query_versions_migrate_shard_and_resolve() {
    let store = Limited::new(LIMIT);
    // The older layout, as a store written before sharding holds it (written around the limit check).
    let names: Vec<String> = (0..50).map(|n| format!("org.scale::query_{n:02}")).collect();
    store.inner.set("query/names", &serde_json::to_vec(&names).unwrap()).unwrap();
    for name in &names {
        let versions: Vec<serde_json::Value> = (1..=200)
            .map(|v| {
                serde_json::json!({"name": name, "type": "AQL", "version": format!("{v}.0.0"),
                    "saved": "2026-01-01T00:00:00.000Z", "q": format!("SELECT e/ehr_id/value FROM EHR e -- {v}")})
            })
            .collect();
        store.inner.set(&format!("query/v/{name}"), &serde_json::to_vec(&versions).unwrap()).unwrap();
    }

    // Readable as they are, before any write creates the new index.
    assert_eq!(listed_versions(&store, "org.scale::query_03").len(), 200);
    let before_any_write = get(&store, "/v1/definition/query/org.scale::query_03/7");
    assert_eq!(json(&before_any_write)["version"], "7.0.0");
    assert_eq!(store.get("query/index").unwrap(), None, "reads do not write");

    assert_eq!(put_query(&store, "org.scale::query_07", "SELECT e FROM EHR e").status(), 200, "first use migrates");
    assert_eq!(listed_versions(&store, "org.scale::query_07").last().map(String::as_str), Some("201.0.0"));
    let all = get(&store, "/v1/definition/query/");
    assert_eq!(ids(all.body(), "name").len(), 10_001);
    store.take_counts();

    let latest = get(&store, "/v1/definition/query/org.scale::query_31/1");
    assert_eq!(latest.status(), 200);
    assert_eq!(json(&latest)["version"], "1.0.0");
    let (gets, _) = store.take_counts();
    assert!(gets <= 3, "resolving one query reads the root and at most two shards, read {gets}");
    assert_eq!(put_query(&store, "org.scale::query_31", "SELECT c FROM COMPOSITION c").status(), 200);
    assert_eq!(store.take_counts().1, 1, "one PUT commits with one CAS");
    assert!(store.largest.load(Ordering::Relaxed) <= LIMIT);
}

#[test]
fn a_thousand_adl2_versions_stay_under_the_limit() {
    let store = Limited::new(16 * 1024); // small values, so a thousand versions need many shards
    for minor in 0..1000 {
        let response = send(
            &store,
            "POST",
            "/v1/definition/template/adl2",
            "text/plain",
            adl2_with_version(&format!("1.{minor}.0")),
        );
        assert_eq!(response.status(), 201, "version 1.{minor}.0: {}", String::from_utf8_lossy(response.body()));
    }
    let listed = get(&store, "/v1/definition/template/adl2");
    assert_eq!(ids(listed.body(), "version").len(), 1000);
    let root: serde_json::Value = serde_json::from_slice(&store.get("adl2/index").unwrap().unwrap()).unwrap();
    assert!(root["shards"].as_array().map_or(0, Vec::len) > 10, "{root}");
    let latest = get(&store, "/v1/definition/template/adl2/openEHR-EHR-COMPOSITION.blood_pressure/1");
    assert_eq!(latest.status(), 200);
    assert_eq!(latest.body(), &adl2_with_version("1.999.0"));
    assert!(store.largest.load(Ordering::Relaxed) <= 16 * 1024);
}

#[test]
fn a_record_larger_than_the_limit_is_413_and_changes_nothing() {
    let store = Limited::new(4 * 1024);
    let long_query = format!("SELECT e/ehr_id/value FROM EHR e -- {}", "x".repeat(8 * 1024));
    let response = put_query(&store, "org.big::q", &long_query);
    assert_eq!(response.status(), 413, "{}", String::from_utf8_lossy(response.body()));
    assert!(listed_versions(&store, "org.big::q").is_empty());
}
