//! A [`KvStore`] on SQLite, laid out exactly like Spin's default key-value store, so a data directory
//! written by this server is served unchanged by `spin up` (and the other way round).
//!
//! Spin keeps its `default` store in `{app dir}/.spin/sqlite_key_value.db`, table
//! `spin_key_value(store TEXT, key TEXT, value BLOB, PRIMARY KEY(store, key))`; we use the same file
//! under `data_dir` and the store name `default`.
//!
//! Concurrency: WAL mode (readers never wait for the writer), a few reader connections and one writer
//! connection. Reads take the first idle reader, so a read never queues behind a write that waits for
//! SQLite's lock; compare-and-swap runs in one `BEGIN IMMEDIATE` transaction, which takes SQLite's
//! write lock before reading, so it is atomic across connections and processes.
//!
//! Values of immutable keys (chunks and index shards; see `openehr_defs_api::is_immutable_key`)
//! are kept in a bounded in-memory cache ([`CACHE_BYTES`]); every other key is read from SQLite each time.

use crate::value_cache::ValueCache;
use bytes::Bytes;
use openehr_defs_api::{KvStore, StoreError, is_immutable_key};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The store name Spin gives the key-value store a component opens as `default`.
pub const STORE_NAME: &str = "default";

/// Where Spin puts the default store's database, relative to the application directory.
pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join(".spin").join("sqlite_key_value.db")
}

/// How many bytes of immutable values the in-memory cache holds at most.
pub const CACHE_BYTES: usize = 64 * 1024 * 1024;

/// A small pool of SQLite connections to one database file, plus the immutable-value cache.
pub struct SqliteStore {
    readers: Vec<Mutex<Connection>>,
    writer: Mutex<Connection>,
    next: AtomicUsize,
    cache: ValueCache,
}

fn to_store_error(error: rusqlite::Error) -> StoreError {
    StoreError::unavailable(format!("sqlite: {error}"))
}

impl SqliteStore {
    /// Opens (creating if needed) `{data_dir}/.spin/sqlite_key_value.db` with `pool_size` reader
    /// connections and one writer connection.
    pub fn open(data_dir: &Path, pool_size: usize) -> Result<Self, StoreError> {
        let path = database_path(data_dir);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| StoreError::unavailable(format!("cannot create {}: {e}", parent.display())))?;
        }
        let writer = Mutex::new(connect(&path)?);
        let readers = (0..pool_size.max(1)).map(|_| connect(&path).map(Mutex::new)).collect::<Result<_, _>>()?;
        Ok(SqliteStore { readers, writer, next: AtomicUsize::new(0), cache: ValueCache::new(CACHE_BYTES) })
    }

    /// Runs `f` on an idle reader connection (or waits for one when all are busy).
    fn read_with<T>(&self, f: impl FnOnce(&Connection) -> Result<T, rusqlite::Error>) -> Result<T, StoreError> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let count = self.readers.len();
        let idle = (0..count).find_map(|i| self.readers[(start + i) % count].try_lock().ok());
        let connection = match idle {
            Some(connection) => connection,
            None => self.readers[start % count].lock().map_err(|_| poisoned())?,
        };
        f(&connection).map_err(to_store_error)
    }

    /// Runs `f` on the writer connection, after dropping `key` from the cache (writes never leave it stale).
    fn write_with<T>(
        &self,
        key: &str,
        f: impl FnOnce(&mut Connection) -> Result<T, rusqlite::Error>,
    ) -> Result<T, StoreError> {
        let mut connection = self.writer.lock().map_err(|_| poisoned())?;
        self.cache.invalidate(key);
        let result = f(&mut connection).map_err(to_store_error);
        // Again after the write: a reader that read the old value meanwhile cannot have cached it
        // (its ticket predates the first invalidation), and nothing is cached from a failed write.
        self.cache.invalidate(key);
        result
    }
}

fn poisoned() -> StoreError {
    StoreError::unavailable("sqlite connection mutex poisoned")
}

/// Readers and the writer alike read with plain `pread`s, not a memory mapping: mapping the file made
/// 10 000-entry list answers 1.6–2× faster, but an I/O error under a mapped read is a SIGBUS that kills
/// the server instead of an error this store turns into a 503.
fn connect(path: &Path) -> Result<Connection, StoreError> {
    let connection = Connection::open(path).map_err(to_store_error)?;
    connection.busy_timeout(Duration::from_secs(10)).map_err(to_store_error)?;
    connection
        .execute_batch(
            "PRAGMA journal_mode=WAL;
             PRAGMA synchronous=NORMAL;
             CREATE TABLE IF NOT EXISTS spin_key_value (
                 store TEXT NOT NULL,
                 key   TEXT NOT NULL,
                 value BLOB NOT NULL,
                 PRIMARY KEY (store, key)
             );",
        )
        .map_err(to_store_error)?;
    Ok(connection)
}

fn read(connection: &Connection, key: &str) -> Result<Option<Vec<u8>>, rusqlite::Error> {
    connection
        .prepare_cached("SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2")?
        .query_row(params![STORE_NAME, key], |row| row.get(0))
        .optional()
}

fn write(connection: &Connection, key: &str, value: &[u8]) -> Result<(), rusqlite::Error> {
    connection
        .prepare_cached(
            "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
        )?
        .execute(params![STORE_NAME, key, value])?;
    Ok(())
}

impl KvStore for SqliteStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        if !is_immutable_key(key) {
            return self.read_with(|c| read(c, key));
        }
        Ok(self.get_shared(key)?.map(|value| value.to_vec()))
    }

    /// Immutable values come from the in-memory cache without a copy (filled on a miss).
    fn get_shared(&self, key: &str) -> Result<Option<Bytes>, StoreError> {
        if !is_immutable_key(key) {
            return Ok(self.read_with(|c| read(c, key))?.map(Bytes::from));
        }
        if let Some(value) = self.cache.get(key) {
            return Ok(Some(Bytes::from_owner(value)));
        }
        let ticket = self.cache.ticket();
        let value = self.read_with(|c| read(c, key))?;
        if let Some(value) = &value {
            self.cache.fill(ticket, key, value);
        }
        Ok(value.map(Bytes::from))
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.write_with(key, |c| write(c, key, value))
    }

    fn caches_immutable_values(&self) -> bool {
        true
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.write_with(key, |c| {
            c.prepare_cached("DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                .execute(params![STORE_NAME, key])
                .map(|_| ())
        })
    }

    /// Counters are 8 bytes little-endian, exactly as Spin's SQLite store keeps them, so `spin up` and
    /// this server can take turns on one data directory.
    fn increment(&self, key: &str, delta: i64) -> Result<i64, StoreError> {
        self.write_with(key, |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let count = match read(&tx, key)? {
                None => 0,
                Some(bytes) => match <[u8; 8]>::try_from(bytes.as_slice()) {
                    Ok(bytes) => i64::from_le_bytes(bytes),
                    Err(_) => return Ok(Err(StoreError::corrupt(format!("{key} is not a counter")))),
                },
            };
            let Some(count) = count.checked_add(delta) else {
                return Ok(Err(StoreError::corrupt(format!("{key} overflows"))));
            };
            write(&tx, key, &count.to_le_bytes())?;
            tx.commit()?;
            Ok(Ok(count))
        })?
    }

    fn compare_and_swap(&self, key: &str, expected: Option<&[u8]>, new: &[u8]) -> Result<bool, StoreError> {
        self.write_with(key, |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if read(&tx, key)?.as_deref() != expected {
                return Ok(false); // dropping `tx` rolls back
            }
            write(&tx, key, new)?;
            tx.commit()?;
            Ok(true)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_persist_in_spins_table_and_cas_is_exact() {
        let dir = std::env::temp_dir().join(format!("defs-sqlite-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = SqliteStore::open(&dir, 2).unwrap();
        assert!(store.compare_and_swap("k", None, b"1").unwrap());
        assert!(!store.compare_and_swap("k", None, b"2").unwrap());
        assert!(store.compare_and_swap("k", Some(b"1"), b"2").unwrap());
        drop(store);
        let raw = Connection::open(database_path(&dir)).unwrap();
        let value: Vec<u8> = raw
            .query_row("SELECT value FROM spin_key_value WHERE store = 'default' AND key = 'k'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(value, b"2");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn counters_are_spins_eight_little_endian_bytes() {
        let (store, other, dir) = fresh_store("counter");
        assert_eq!(store.increment("claim/x", 1).unwrap(), 1);
        assert_eq!(store.increment("claim/x", 2).unwrap(), 3);
        let value: Vec<u8> = other
            .query_row("SELECT value FROM spin_key_value WHERE store = 'default' AND key = 'claim/x'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(value, 3i64.to_le_bytes());
        store.set("v", b"{}").unwrap();
        assert_eq!(store.increment("v", 1).unwrap_err(), StoreError::corrupt("v is not a counter"));
        assert_eq!(store.get("v").unwrap().as_deref(), Some(&b"{}"[..]));
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn fresh_store(name: &str) -> (SqliteStore, Connection, PathBuf) {
        let dir = std::env::temp_dir().join(format!("defs-sqlite-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = SqliteStore::open(&dir, 2).unwrap();
        let other = Connection::open(database_path(&dir)).unwrap();
        (store, other, dir)
    }

    fn write_behind_its_back(other: &Connection, key: &str, value: &[u8]) {
        other
            .execute("UPDATE spin_key_value SET value = ?1 WHERE store = 'default' AND key = ?2", params![value, key])
            .unwrap();
    }

    #[test]
    fn indexes_are_never_served_from_memory() {
        let (store, other, dir) = fresh_store("index");
        assert!(store.compare_and_swap("opt14/index", None, b"[1]\n[]").unwrap());
        assert_eq!(store.get("opt14/index").unwrap().as_deref(), Some(&b"[1]\n[]"[..]));
        assert!(store.compare_and_swap("opt14/index", Some(b"[1]\n[]"), b"[1,2]\n[]").unwrap());
        assert_eq!(store.get("opt14/index").unwrap().as_deref(), Some(&b"[1,2]\n[]"[..]));
        // Even a write by another process (another server, `spin up`) is seen at once.
        write_behind_its_back(&other, "opt14/index", b"[3]\n[]");
        assert_eq!(store.get("opt14/index").unwrap().as_deref(), Some(&b"[3]\n[]"[..]));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn immutable_values_are_served_from_memory_and_writes_through_the_store_replace_them() {
        let (store, other, dir) = fresh_store("immutable");
        store.set("blob/abc", b"chunk").unwrap();
        assert_eq!(store.get("blob/abc").unwrap().as_deref(), Some(&b"chunk"[..]));
        // Outside the layout's contract, so only the cache can explain the old bytes.
        write_behind_its_back(&other, "blob/abc", b"other");
        assert_eq!(store.get("blob/abc").unwrap().as_deref(), Some(&b"chunk"[..]));
        store.set("blob/abc", b"again").unwrap();
        assert_eq!(store.get("blob/abc").unwrap().as_deref(), Some(&b"again"[..]));
        store.delete("blob/abc").unwrap();
        assert_eq!(store.get("blob/abc").unwrap(), None);
        assert_eq!(store.get("opt14/id/missing").unwrap(), None);
        store.set("opt14/id/missing", b"{}").unwrap();
        assert_eq!(store.get("opt14/id/missing").unwrap().as_deref(), Some(&b"{}"[..]), "absence is not cached");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The store keeps chunks in memory, so a template's cache value (read from SQLite on every GET)
    /// holds its record alone and the body comes from the chunk; the answer is the uploaded bytes.
    #[test]
    fn a_template_get_reads_a_small_record_from_sqlite_and_its_body_from_memory() {
        let (store, other, dir) = fresh_store("record");
        let opt = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../tests/fixtures/opt14/valid/ehrbase_integration_test__opt__minimal_action.opt"),
        )
        .unwrap();
        let outcome = openehr_defs_api::bulk_upload_opt14(&store, std::slice::from_ref(&opt)).unwrap();
        assert_eq!(outcome.created, 1);
        let record: Vec<u8> = other
            .query_row(
                "SELECT value FROM spin_key_value WHERE store = 'default' AND key = 'opt14/id/minimal_action.en.v1_{{randomize}}'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(record.len() < 1024 && !record.contains(&b'\n'), "{}", String::from_utf8_lossy(&record));
        let request = http::Request::get("/v1/definition/template/adl1.4/minimal_action.en.v1_%7B%7Brandomize%7D%7D")
            .body(Vec::new())
            .unwrap();
        let got = openehr_defs_api::handle(request, &store, &openehr_defs_api::Config::default());
        assert_eq!(got.status(), 200);
        assert_eq!(got.body(), &opt);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
