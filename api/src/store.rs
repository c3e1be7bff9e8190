//! The key-value contract every host implements, and the layout the API keeps in it.
//!
//! # Storage layout
//!
//! Keys are UTF-8 strings, values are bytes. Every kind of artefact has ONE index value that is
//! only ever changed by [`KvStore::compare_and_swap`]; that CAS is the commit point of a write.
//!
//! | key | value | written |
//! |---|---|---|
//! | `blob/{sha256}` | one chunk (≤ [`CHUNK_BYTES`]) of a body, keyed by the chunk's own SHA-256 | before the commit |
//! | `opt14/index` | two lines: the list answer, then every template's ETag + body manifest (see below) | CAS = commit |
//! | `opt14/id/{template_id}` | JSON of that one entry, list fields + ETag + manifest (a read cache) | after the commit |
//! | `adl2/index` | two lines: the list answer, then every template version's ETag + body manifest | CAS = commit |
//! | `query/names` | JSON sorted array of every stored query name | CAS, before the commit |
//! | `query/v/{qualified_query_name}` | JSON array of every version of that query (with its text) | CAS = commit |
//!
//! **Template indexes** hold two lines of compact JSON (which never contains a raw newline): line 1 is
//! byte for byte the body of `GET /definition/template/{adl1.4|adl2}` (the list items, sorted by id),
//! line 2 the matching `{"etag","size","chunks"}` of each item, in the same order. Both lines are one
//! value, so the one CAS still commits an upload atomically. A value without a newline (the older
//! layout, one array of flat entries) is still read, and rewritten in this layout by the next upload.
//!
//! **Listing** N templates reads one value (the index) and answers its first line without parsing it,
//! never a body. **Getting** one ADL 1.4 template reads its `…/id/…` cache value and its chunks; when
//! the cache value is missing (a crash after the commit), it falls back to the index entry, so the
//! cache is an optimisation and never the truth. Getting an ADL 2 template resolves its version
//! pattern against the index.
//!
//! **Immutable keys** ([`is_immutable_key`]): `blob/…` and `opt14/id/…` values, once written, are never
//! changed (equal keys hold equal bytes; only the upload that won the commit writes an `…/id/…` value,
//! and no API deletes). Hosts may cache them in memory; every other key must be read from the store.
//!
//! **Chunks**: bodies are split into chunks of [`CHUNK_BYTES`] (1 MiB). Spin's default SQLite store has
//! no practical value limit and Redis allows 512 MB, but Azure Cosmos DB caps an item at about 2 MB
//! (and some adapters base64 values, ×4/3): 1 MiB keeps a chunk under every such limit with margin,
//! while a 4 MB OPT still needs only 4 reads. Chunks are content-addressed, so two concurrent uploads
//! can never clobber each other's chunks (equal keys hold equal bytes) and equal bodies share chunks.
//!
//! **Crash safety**: an upload writes its chunks, then CASes the index. A crash before the CAS leaves
//! only unreferenced chunks: nothing lists or serves them, and a later upload of the same bytes simply
//! rewrites them. A crash after the CAS but before the cache write leaves the template fully visible
//! (via the index fallback). No delete exists in the API, so a cache value is never stale.
//!
//! **Concurrency**: N concurrent POSTs of one template id all read the index, and all but one CAS
//! fail; the losers re-read, find the id and answer 409. N concurrent PUTs of one query without a
//! version loop (at most [`CAS_RETRIES`] times) on the per-name CAS, each retry computing the next
//! version from what it just read, so all N get distinct versions; an exhausted loop answers 503.
//!
//! **Per backend**: the guarantees hold exactly when `compare_and_swap` is atomic. [`MemoryStore`]
//! (a mutex) and the native server's SQLite store (one `BEGIN IMMEDIATE` transaction) are atomic.
//! A host whose store lacks a native CAS (Spin's key-value API before wasi:keyvalue `atomics`)
//! can only emulate it with get-then-set, which is atomic per instance but not across instances.
//!
//! **Limits**: an index is one value; at 10 000 ADL 1.4 templates it is about 3.4 MB (1.65 MB list line,
//! 1.75 MB body line), within SQLite and Redis limits but above Cosmos DB's item size (sharding the
//! index is not implemented). Every GET of the list reads the whole value, so its size bounds list speed.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard};

/// Size of one body chunk (see the module docs for why 1 MiB).
pub const CHUNK_BYTES: usize = 1024 * 1024;

/// True for keys whose value never changes once written (see "Immutable keys" above): a host may
/// serve them from an in-memory cache. A missing key is not covered: it may appear later.
pub fn is_immutable_key(key: &str) -> bool {
    key.starts_with("blob/") || key.starts_with("opt14/id/")
}

/// How often a contended CAS update is retried before the API answers 503.
pub const CAS_RETRIES: usize = 64;

/// The key-value operations the API needs. Spin's key-value store and wasi:keyvalue (edge), SQLite (server)
/// and a HashMap (tests) implement it. Keys are UTF-8 strings; values are bytes.
pub trait KvStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError>;
    fn delete(&self, key: &str) -> Result<(), StoreError>;
    /// Atomically: if the current value of `key` equals `expected` (None = absent), replace it with `new` and return
    /// true; otherwise change nothing and return false. This is the only atomic primitive the layout relies on.
    fn compare_and_swap(&self, key: &str, expected: Option<&[u8]>, new: &[u8]) -> Result<bool, StoreError>;
}

/// A failure of the storage backend (never of the request): the API answers 503.
#[derive(Debug)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "storage backend error: {}", self.0)
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

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> Result<MutexGuard<'_, HashMap<String, Vec<u8>>>, StoreError> {
        self.map.lock().map_err(|_| StoreError("memory store mutex poisoned".into()))
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
    fn only_chunks_and_adl14_records_are_immutable() {
        assert!(is_immutable_key("blob/ba7816bf"));
        assert!(is_immutable_key("opt14/id/a.b"));
        for mutable in ["opt14/index", "adl2/index", "query/names", "query/v/org::q", "blob", "opt14/idx"] {
            assert!(!is_immutable_key(mutable), "{mutable}");
        }
    }
}
