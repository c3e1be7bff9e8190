//! A [`KvStore`] on SQLite, laid out exactly like Spin's default key-value store, so a data directory
//! written by this server is served unchanged by `spin up` (and the other way round).
//!
//! Spin keeps its `default` store in `{app dir}/.spin/sqlite_key_value.db`, table
//! `spin_key_value(store TEXT, key TEXT, value BLOB, PRIMARY KEY(store, key))`; we use the same file
//! under `data_dir` and the store name `default`.
//!
//! Concurrency: a few connections in WAL mode (readers never wait for the writer); compare-and-swap
//! runs in one `BEGIN IMMEDIATE` transaction, which takes SQLite's write lock before reading, so it
//! is atomic across connections and processes.

use openehr_defs_api::{KvStore, StoreError};
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

/// A small pool of SQLite connections to one database file.
pub struct SqliteStore {
    connections: Vec<Mutex<Connection>>,
    next: AtomicUsize,
}

fn to_store_error(error: rusqlite::Error) -> StoreError {
    StoreError(format!("sqlite: {error}"))
}

impl SqliteStore {
    /// Opens (creating if needed) `{data_dir}/.spin/sqlite_key_value.db` with `pool_size` connections.
    pub fn open(data_dir: &Path, pool_size: usize) -> Result<Self, StoreError> {
        let path = database_path(data_dir);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| StoreError(format!("cannot create {}: {e}", parent.display())))?;
        }
        let mut connections = Vec::new();
        for _ in 0..pool_size.max(1) {
            let connection = Connection::open(&path).map_err(to_store_error)?;
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
            connections.push(Mutex::new(connection));
        }
        Ok(SqliteStore { connections, next: AtomicUsize::new(0) })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, rusqlite::Error>) -> Result<T, StoreError> {
        let index = self.next.fetch_add(1, Ordering::Relaxed) % self.connections.len();
        let mut connection =
            self.connections[index].lock().map_err(|_| StoreError("sqlite connection mutex poisoned".into()))?;
        f(&mut connection).map_err(to_store_error)
    }
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
        self.with(|c| read(c, key))
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.with(|c| write(c, key, value))
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.with(|c| {
            c.prepare_cached("DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                .execute(params![STORE_NAME, key])
                .map(|_| ())
        })
    }

    fn compare_and_swap(&self, key: &str, expected: Option<&[u8]>, new: &[u8]) -> Result<bool, StoreError> {
        self.with(|c| {
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
}
