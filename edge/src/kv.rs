//! The API crate's `KvStore` over Spin's `default` key-value store.
//!
//! Plain get/set/delete use `fermyon:spin/key-value@2.0.0`, the interface every Spin host has served since 2.0.
//! Compare-and-swap needs the `wasi:keyvalue@0.2.0-draft2` atomics interface; both interfaces resolve the label
//! `default` to the same store configured in `spin.toml`/`runtime-config.toml`.

use std::cell::OnceCell;

use spin_sdk::key_value::Store;
use spin_sdk::wit::wasi::keyvalue::{atomics, store as wasi_store};

use openehr_defs_api::{KvStore, StoreError};

/// The store label granted in `spin.toml` (`key_value_stores = ["default"]`).
const STORE_LABEL: &str = "default";

/// The store and bucket of one request, each opened on first use: an open is a host call (in Spin's
/// SQLite store it blocks a runtime thread), so one per request, not one per operation.
#[derive(Default)]
pub struct SpinKv {
    store: OnceCell<Store>,
    bucket: OnceCell<wasi_store::Bucket>,
}

impl SpinKv {
    fn store(&self) -> Result<&Store, StoreError> {
        if let Some(store) = self.store.get() {
            return Ok(store);
        }
        let store = Store::open(STORE_LABEL)
            .map_err(|error| StoreError::unavailable(format!("open key-value store: {error}")))?;
        Ok(self.store.get_or_init(|| store))
    }

    fn bucket(&self) -> Result<&wasi_store::Bucket, StoreError> {
        if let Some(bucket) = self.bucket.get() {
            return Ok(bucket);
        }
        let bucket = wasi_store::open(STORE_LABEL).map_err(|error| wasi_error("open bucket", &error))?;
        Ok(self.bucket.get_or_init(|| bucket))
    }
}

impl KvStore for SpinKv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.store()?.get(key).map_err(|error| StoreError::unavailable(format!("get {key}: {error}")))
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.store()?.set(key, value).map_err(|error| StoreError::unavailable(format!("set {key}: {error}")))
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.store()?.delete(key).map_err(|error| StoreError::unavailable(format!("delete {key}: {error}")))
    }

    fn increment(&self, key: &str, delta: i64) -> Result<i64, StoreError> {
        atomics::increment(self.bucket()?, key, delta).map_err(|error| wasi_error("increment", &error))
    }

    /// `Ok(false)` says "perhaps not written": Spin's Redis store reports `cas-failed` even after writing,
    /// and the API re-reads after every failed swap (see `openehr_defs_api::store`).
    fn compare_and_swap(&self, key: &str, expected: Option<&[u8]>, new: &[u8]) -> Result<bool, StoreError> {
        let cas = atomics::Cas::new(self.bucket()?, key).map_err(|error| wasi_error("begin cas", &error))?;
        let current = cas.current().map_err(|error| wasi_error("read cas value", &error))?;
        if current.as_deref() != expected {
            return Ok(false);
        }
        match atomics::swap(cas, new) {
            Ok(()) => Ok(true),
            // Someone else wrote the key since `current` (or, on Redis, perhaps not: see above).
            Err(atomics::CasError::CasFailed(_)) => Ok(false),
            Err(atomics::CasError::StoreError(error)) => Err(wasi_error("swap", &error)),
        }
    }
}

fn wasi_error(operation: &str, error: &wasi_store::Error) -> StoreError {
    let detail = match error {
        wasi_store::Error::NoSuchStore => "no such store".to_owned(),
        wasi_store::Error::AccessDenied => "access denied".to_owned(),
        wasi_store::Error::Other(text) => text.clone(),
    };
    StoreError::unavailable(format!("{operation}: {detail}"))
}
