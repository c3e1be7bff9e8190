//! The key-value contract every host implements, and the layout the API keeps in it.
//!
//! # What a backend must give
//!
//! Only what every real backend gives, defects included (see `edge/README.md` for Spin's):
//! - `get`, `set`, `delete` of one key;
//! - `increment`: an atomic add on a counter key, which creates it when absent. The API only ever
//!   uses the returned number; a counter key is never read with `get` nor written otherwise (each
//!   backend encodes counters its own way: 8 bytes little-endian in Spin's SQLite, decimal in Redis);
//! - `compare_and_swap` that is atomic **when the key is present**. When the key is absent, Spin's
//!   SQLite store upserts (two racing creators both "win"), so the API never relies on a CAS of an
//!   absent key: see [first use](#first-use) below;
//! - a CAS may report failure although it wrote (Spin's Redis store always does) and may fail with a
//!   [`StoreError`] after writing: the API treats every failed CAS as "unknown" and re-reads.
//!
//! # Storage layout
//!
//! Keys are UTF-8 strings, values are bytes, and no value is ever larger than
//! [`Config::max_value_bytes`](crate::Config::max_value_bytes) (256 KiB by default: DynamoDB caps an
//! item at 400 KB, Cosmos DB at 2 MB).
//!
//! | key | value | written |
//! |---|---|---|
//! | `blob/{sha256}` | one chunk of a body, keyed by the chunk's own SHA-256 | before the commit |
//! | `{kind}/index` | the **root** of a kind's index (`opt14`, `adl2`, `query`): its records while they fit one value, else the keys of its shards | CAS = commit |
//! | `{kind}/shard/{write id}.{attempt}.{n}` | one shard: a sorted run of the index's records | before the commit |
//! | `opt14/id/{template_id}` | that one template's record, and a copy of its body when both fit one value and the store does not keep chunks in memory (a read cache), or a marker (see below) | a marker before the commit, the record after it |
//! | `wt/{sha256}.{version}` | the web template (default languages) of the OPT with that SHA-256, built by that builder version, or its chunk manifest | by the first GET of it (a cache fill) |
//! | `claim/{kind}/index` | a counter (`increment` only): who creates the root on first use | first use |
//!
//! **Indexes** (`api/src/shards.rs`) are sorted runs of records. While they fit one value, the root holds
//! them (one read lists, one CAS commits); beyond, they are split into shards under the value limit and
//! the root names them. A write reads the root and the shards its record falls in, writes the changed
//! shards under new keys, and commits with ONE compare-and-swap of the root. Then it deletes the shards
//! it replaced (a crash first only leaves unreferenced values). A shard (or inline root) holds two lines
//! of compact JSON: the records' list items (listing joins these lines without parsing them) and their
//! private parts (body location, ETag, write id).
//!
//! **Reads per request** (each a host call on Spin): GET of one ADL 1.4 template, one value (its record
//! with the body copy; bodies too large for that: plus one per chunk, which a store that keeps immutable
//! values in memory serves from there); a list or a query resolution, the
//! root (plus the shards it needs once the index is sharded).
//!
//! **Write ids**: every write draws a random id that its records carry. After a CAS that reported
//! failure (or an error), the next attempt's re-read tells "my record is there" (it succeeded:
//! answer 201/200) from "another write's record is there" (409) from "nothing" (retry). So a write
//! is acknowledged exactly when it is stored, whatever the backend reported.
//!
//! # First use
//!
//! A root is created exactly once, by the request that wins `increment(claim/…) == 1`; everyone else
//! waits for it to appear (polling, at most [`Config::first_use_wait`](crate::Config::first_use_wait)).
//! If the winner died between its claim and its write, a waiter creates the root after that wait.
//! The created value is the empty index, or the migration of an older layout found in the store.
//!
//! # Cache values and deletion
//!
//! A GET of one ADL 1.4 template reads only `opt14/id/{template_id}`, so that value must never say
//! "present" for a template whose deletion was acknowledged. It is a **live** value (the record) or a
//! **marker** (`{"pending":…}`, `{"deleted":…}`) that sends readers to the index. An upload sets its
//! `pending` marker before its commit and, after the commit, swaps its live value in **only over its own
//! marker** (a CAS of a present key: atomic on every backend). A delete first makes sure the value holds
//! nothing of the upload it removes (while it holds that upload's marker or live value, it swaps it for a
//! `deleted` marker, a CAS of a present key; whatever else is there can never become that upload's live
//! value again, and stays), then removes exactly that upload's record with one root CAS, its commit point.
//! A crash before the commit leaves a marker over a template that is still there (readers use the
//! index); after it, the template is gone from both. Markers stay: the next upload of the id replaces
//! its predecessor's. Deleted templates' chunks stay too (content-addressed, maybe shared). A racing
//! upload that loses may overwrite a winner's `pending` marker: the winner is then served from the index
//! (two reads instead of one), never wrongly.
//!
//! **Immutable keys** ([`is_immutable_key`]): `blob/…`, shard and `wt/…` values (a web template cached
//! under its OPT's hash and the builder version, see `api/src/web_template.rs`), once written, never change
//! (they may be deleted once nothing refers to them). Hosts may cache them in memory; every other key
//! (`opt14/id/…` included, since templates can be deleted and uploaded again) must be read from the store.
//!
//! **Crash safety**: a write's values are all written before its commit, and only unreferenced ones
//! after it: a crash at any point leaves the index as it was or with the write complete.

use bytes::Bytes;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard};

/// True for keys whose value never changes once written (see "Immutable keys" above): a host may
/// serve them from an in-memory cache. A missing key is not covered: it may appear later.
pub fn is_immutable_key(key: &str) -> bool {
    key.starts_with("blob/") || key.starts_with("wt/") || key.contains("/shard/")
}

/// How often a contended commit is retried before the API answers 503.
pub const CAS_RETRIES: usize = 64;

/// The key-value operations the API needs. Spin's key-value store and wasi:keyvalue (edge), SQLite (server)
/// and a HashMap (tests) implement it. Keys are UTF-8 strings; values are bytes.
pub trait KvStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// The value of `key` without copying it when the host already holds it in memory (its cache of
    /// immutable values): listing a sharded index would otherwise copy every shard once more.
    fn get_shared(&self, key: &str) -> Result<Option<Bytes>, StoreError> {
        Ok(self.get(key)?.map(Bytes::from))
    }
    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError>;
    fn delete(&self, key: &str) -> Result<(), StoreError>;
    /// Atomically adds `delta` to the counter at `key` (absent = 0) and returns the new count.
    fn increment(&self, key: &str, delta: i64) -> Result<i64, StoreError>;
    /// If the current value of `key` equals `expected` (None = absent), replace it with `new`. `Ok(true)`:
    /// written. `Ok(false)` or an error: perhaps not written (see the module docs for why callers re-read).
    /// Must be atomic when `expected` is `Some`; the API never asks with `None` outside first use.
    fn compare_and_swap(&self, key: &str, expected: Option<&[u8]>, new: &[u8]) -> Result<bool, StoreError>;
    /// True when this store keeps immutable values in memory from one request to the next (the native
    /// server), so reading a body's chunks costs no backend round trip. The API then keeps body copies
    /// out of mutable values, which every read must fetch from the backend: a template GET reads a small
    /// record from the backend and its body from memory, instead of the body from the backend each time.
    fn caches_immutable_values(&self) -> bool {
        false
    }
}

/// Why the store could not serve a request (never the request's fault). The text is for the log: the
/// client hears only the kind (see `ApiError`'s `From<StoreError>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The backend is down, refused, or timed out: worth retrying later (503 with `Retry-After`).
    Unavailable(String),
    /// What the store holds is not what this API's layout writes (unreadable, missing, impossible): a
    /// fault of the data or of this program, not of the backend's availability (500).
    Corrupt(String),
}

impl StoreError {
    pub fn unavailable(detail: impl Into<String>) -> Self {
        StoreError::Unavailable(detail.into())
    }

    pub fn corrupt(detail: impl Into<String>) -> Self {
        StoreError::Corrupt(detail.into())
    }

    /// What happened, for the log.
    pub fn detail(&self) -> &str {
        match self {
            StoreError::Unavailable(detail) | StoreError::Corrupt(detail) => detail,
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Unavailable(detail) => write!(f, "storage backend unavailable: {detail}"),
            StoreError::Corrupt(detail) => write!(f, "stored data is corrupt: {detail}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// An in-memory store: the reference implementation and the one the tests use.
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: Mutex<HashMap<String, Vec<u8>>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of keys held (tests use it to look for leaked or missing values).
    pub fn len(&self) -> usize {
        self.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// Every key held, sorted (tests use it to check what a write left behind).
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.lock().map(|m| m.keys().cloned().collect()).unwrap_or_default();
        keys.sort();
        keys
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> Result<MutexGuard<'_, HashMap<String, Vec<u8>>>, StoreError> {
        self.map.lock().map_err(|_| StoreError::unavailable("memory store mutex poisoned"))
    }
}

impl KvStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.lock()?.get(key).cloned())
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.lock()?.insert(key.to_owned(), value.to_vec());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.lock()?.remove(key);
        Ok(())
    }

    /// Counters are 8 bytes little-endian, like Spin's SQLite store (and the native server's).
    fn increment(&self, key: &str, delta: i64) -> Result<i64, StoreError> {
        let mut map = self.lock()?;
        let count = match map.get(key) {
            None => 0,
            Some(bytes) => i64::from_le_bytes(
                bytes.as_slice().try_into().map_err(|_| StoreError::corrupt(format!("{key} is not a counter")))?,
            ),
        };
        let count = count.checked_add(delta).ok_or_else(|| StoreError::corrupt(format!("{key} overflows")))?;
        map.insert(key.to_owned(), count.to_le_bytes().to_vec());
        Ok(count)
    }

    fn compare_and_swap(&self, key: &str, expected: Option<&[u8]>, new: &[u8]) -> Result<bool, StoreError> {
        let mut map = self.lock()?;
        if map.get(key).map(Vec::as_slice) != expected {
            return Ok(false);
        }
        map.insert(key.to_owned(), new.to_vec());
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_and_swap_only_replaces_the_expected_value() {
        let store = MemoryStore::new();
        assert!(store.compare_and_swap("k", None, b"1").unwrap());
        assert!(!store.compare_and_swap("k", None, b"2").unwrap());
        assert!(!store.compare_and_swap("k", Some(b"0"), b"2").unwrap());
        assert!(store.compare_and_swap("k", Some(b"1"), b"2").unwrap());
        assert_eq!(store.get("k").unwrap().as_deref(), Some(&b"2"[..]));
        store.delete("k").unwrap();
        assert_eq!(store.get("k").unwrap(), None);
    }

    #[test]
    fn increment_counts_from_zero_and_refuses_other_values() {
        let store = MemoryStore::new();
        assert_eq!(store.increment("c", 1).unwrap(), 1);
        assert_eq!(store.increment("c", 1).unwrap(), 2);
        assert_eq!(store.get("c").unwrap().as_deref(), Some(&2i64.to_le_bytes()[..]));
        store.set("v", b"{}").unwrap();
        assert_eq!(store.increment("v", 1).unwrap_err(), StoreError::corrupt("v is not a counter"));
    }

    #[test]
    fn only_chunks_and_shards_are_immutable() {
        assert!(is_immutable_key("blob/ba7816bf"));
        assert!(is_immutable_key("query/shard/0f.1"));
        assert!(is_immutable_key("wt/ba7816bf.0.1.0"));
        for mutable in
            ["opt14/index", "adl2/index", "query/index", "claim/opt14/index", "blob", "opt14/idx", "opt14/id/a.b"]
        {
            assert!(!is_immutable_key(mutable), "{mutable}");
        }
    }
}
