//! In-memory key-value store behind both `fermyon:spin/key-value@2.0.0` and `wasi:keyvalue@0.2.0-draft2`.
//!
//! One `Mutex<HashMap>` is shared by every request (instances are per request, like in Spin), so the
//! compare-and-swap in `swap` is a single critical section: truly atomic across concurrent requests, which is
//! what the API's optimistic-concurrency tests need to observe.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use wasmtime::component::Resource;

use crate::bindings::fermyon::spin::key_value::{self as spin_kv, Error as SpinError};
use crate::bindings::wasi::keyvalue::atomics::{self, CasError};
use crate::bindings::wasi::keyvalue::store::{self as wasi_store, Error as WasiError, KeyResponse};
use crate::state::RequestState;

/// The only label granted, as with `key_value_stores = ["default"]` in `spin.toml`.
pub const DEFAULT_LABEL: &str = "default";

/// The process-wide data, shared by all requests.
#[derive(Default)]
pub struct SharedKv {
    entries: Mutex<HashMap<String, Vec<u8>>>,
}

impl SharedKv {
    /// A poisoned lock only means another request panicked mid-call; the map itself is still consistent
    /// because every mutation is a single `insert`/`remove`.
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Vec<u8>>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An open `fermyon:spin/key-value` store (only `default` exists).
pub struct SpinStoreHandle;

/// An open `wasi:keyvalue` bucket (only `default` exists).
pub struct BucketHandle;

/// A pending compare-and-swap: the key and the value seen when it was created.
pub struct CasHandle {
    key: String,
    seen: Option<Vec<u8>>,
}

impl spin_kv::Host for RequestState {}

impl spin_kv::HostStore for RequestState {
    fn open(&mut self, label: String) -> wasmtime::Result<Result<Resource<SpinStoreHandle>, SpinError>> {
        if label != DEFAULT_LABEL {
            return Ok(Err(SpinError::AccessDenied));
        }
        Ok(Ok(self.table.push(SpinStoreHandle)?))
    }

    fn get(
        &mut self,
        store: Resource<SpinStoreHandle>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, SpinError>> {
        self.table.get(&store)?;
        Ok(Ok(self.kv.lock().get(&key).cloned()))
    }

    fn set(
        &mut self,
        store: Resource<SpinStoreHandle>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), SpinError>> {
        self.table.get(&store)?;
        self.kv.lock().insert(key, value);
        Ok(Ok(()))
    }

    fn delete(&mut self, store: Resource<SpinStoreHandle>, key: String) -> wasmtime::Result<Result<(), SpinError>> {
        self.table.get(&store)?;
        self.kv.lock().remove(&key);
        Ok(Ok(()))
    }

    fn exists(&mut self, store: Resource<SpinStoreHandle>, key: String) -> wasmtime::Result<Result<bool, SpinError>> {
        self.table.get(&store)?;
        Ok(Ok(self.kv.lock().contains_key(&key)))
    }

    fn get_keys(&mut self, store: Resource<SpinStoreHandle>) -> wasmtime::Result<Result<Vec<String>, SpinError>> {
        self.table.get(&store)?;
        Ok(Ok(sorted_keys(&self.kv)))
    }

    fn drop(&mut self, store: Resource<SpinStoreHandle>) -> wasmtime::Result<()> {
        self.table.delete(store)?;
        Ok(())
    }
}

impl wasi_store::Host for RequestState {
    fn open(&mut self, identifier: String) -> wasmtime::Result<Result<Resource<BucketHandle>, WasiError>> {
        if identifier != DEFAULT_LABEL {
            return Ok(Err(WasiError::NoSuchStore));
        }
        Ok(Ok(self.table.push(BucketHandle)?))
    }
}

impl wasi_store::HostBucket for RequestState {
    fn get(
        &mut self,
        bucket: Resource<BucketHandle>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, WasiError>> {
        self.table.get(&bucket)?;
        Ok(Ok(self.kv.lock().get(&key).cloned()))
    }

    fn set(
        &mut self,
        bucket: Resource<BucketHandle>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), WasiError>> {
        self.table.get(&bucket)?;
        self.kv.lock().insert(key, value);
        Ok(Ok(()))
    }

    fn delete(&mut self, bucket: Resource<BucketHandle>, key: String) -> wasmtime::Result<Result<(), WasiError>> {
        self.table.get(&bucket)?;
        self.kv.lock().remove(&key);
        Ok(Ok(()))
    }

    fn exists(&mut self, bucket: Resource<BucketHandle>, key: String) -> wasmtime::Result<Result<bool, WasiError>> {
        self.table.get(&bucket)?;
        Ok(Ok(self.kv.lock().contains_key(&key)))
    }

    /// Everything in one page: the test data sets are small.
    fn list_keys(
        &mut self,
        bucket: Resource<BucketHandle>,
        _cursor: Option<String>,
    ) -> wasmtime::Result<Result<KeyResponse, WasiError>> {
        self.table.get(&bucket)?;
        Ok(Ok(KeyResponse { keys: sorted_keys(&self.kv), cursor: None }))
    }

    fn drop(&mut self, bucket: Resource<BucketHandle>) -> wasmtime::Result<()> {
        self.table.delete(bucket)?;
        Ok(())
    }
}

impl atomics::Host for RequestState {
    /// Not imported by the edge component; refused rather than guessing Spin's integer encoding.
    fn increment(
        &mut self,
        bucket: Resource<BucketHandle>,
        _key: String,
        _delta: i64,
    ) -> wasmtime::Result<Result<i64, WasiError>> {
        self.table.get(&bucket)?;
        Ok(Err(WasiError::Other("increment is not implemented by spin-test-host".to_owned())))
    }

    /// Writes only if the key still holds what the CAS handle saw; check and write happen under one lock.
    fn swap(&mut self, cas: Resource<CasHandle>, value: Vec<u8>) -> wasmtime::Result<Result<(), CasError>> {
        let CasHandle { key, seen } = self.table.delete(cas)?;
        let mut entries = self.kv.lock();
        let current = entries.get(&key).cloned();
        if current == seen {
            entries.insert(key, value);
            return Ok(Ok(()));
        }
        drop(entries);
        // The spec wants the returned handle refreshed to the latest value, ready for a retry.
        let retry = self.table.push(CasHandle { key, seen: current })?;
        Ok(Err(CasError::CasFailed(retry)))
    }
}

impl atomics::HostCas for RequestState {
    fn new(
        &mut self,
        bucket: Resource<BucketHandle>,
        key: String,
    ) -> wasmtime::Result<Result<Resource<CasHandle>, WasiError>> {
        self.table.get(&bucket)?;
        let seen = self.kv.lock().get(&key).cloned();
        Ok(Ok(self.table.push(CasHandle { key, seen })?))
    }

    fn current(&mut self, cas: Resource<CasHandle>) -> wasmtime::Result<Result<Option<Vec<u8>>, WasiError>> {
        Ok(Ok(self.table.get(&cas)?.seen.clone()))
    }

    fn drop(&mut self, cas: Resource<CasHandle>) -> wasmtime::Result<()> {
        self.table.delete(cas)?;
        Ok(())
    }
}

fn sorted_keys(kv: &SharedKv) -> Vec<String> {
    let mut keys: Vec<String> = kv.lock().keys().cloned().collect();
    keys.sort();
    keys
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::bindings::wasi::keyvalue::atomics::{Host as _, HostCas as _};
    use crate::bindings::wasi::keyvalue::store::HostBucket as _;

    fn state(kv: &Arc<SharedKv>) -> RequestState {
        RequestState::new(kv.clone(), Arc::default())
    }

    /// Two requests race on the same key: the first swap wins, the second sees `cas-failed` with a handle that
    /// already shows the winner's value, as the WIT asks.
    #[test]
    fn second_of_two_racing_swaps_fails_with_a_refreshed_handle() {
        let kv = Arc::new(SharedKv::default());
        let (mut first, mut second) = (state(&kv), state(&kv));
        let bucket_a = wasi_store::Host::open(&mut first, "default".into()).unwrap().unwrap();
        let bucket_b = wasi_store::Host::open(&mut second, "default".into()).unwrap().unwrap();
        let cas_a = first.new(Resource::new_borrow(bucket_a.rep()), "index".into()).unwrap().unwrap();
        let cas_b = second.new(Resource::new_borrow(bucket_b.rep()), "index".into()).unwrap().unwrap();
        assert_eq!(first.current(Resource::new_borrow(cas_a.rep())).unwrap().unwrap(), None);

        assert!(first.swap(cas_a, b"a".to_vec()).unwrap().is_ok());
        let Err(CasError::CasFailed(retry)) = second.swap(cas_b, b"b".to_vec()).unwrap() else {
            panic!("the stale swap must fail with cas-failed");
        };
        assert_eq!(second.current(Resource::new_borrow(retry.rep())).unwrap().unwrap(), Some(b"a".to_vec()));
        assert!(second.swap(retry, b"b".to_vec()).unwrap().is_ok());
        assert_eq!(
            first.get(Resource::new_borrow(bucket_a.rep()), "index".into()).unwrap().unwrap(),
            Some(b"b".to_vec())
        );
    }

    #[test]
    fn only_the_default_label_opens() {
        let kv = Arc::new(SharedKv::default());
        let mut request = state(&kv);
        assert!(matches!(wasi_store::Host::open(&mut request, "other".into()).unwrap(), Err(WasiError::NoSuchStore)));
        assert!(matches!(
            spin_kv::HostStore::open(&mut request, "other".into()).unwrap(),
            Err(SpinError::AccessDenied)
        ));
    }

    #[test]
    fn both_interfaces_see_the_same_data() {
        let kv = Arc::new(SharedKv::default());
        let mut request = state(&kv);
        let store = spin_kv::HostStore::open(&mut request, "default".into()).unwrap().unwrap();
        spin_kv::HostStore::set(&mut request, Resource::new_borrow(store.rep()), "k".into(), b"v".to_vec())
            .unwrap()
            .unwrap();
        let bucket = wasi_store::Host::open(&mut request, "default".into()).unwrap().unwrap();
        let seen = wasi_store::HostBucket::get(&mut request, Resource::new_borrow(bucket.rep()), "k".into());
        assert_eq!(seen.unwrap().unwrap(), Some(b"v".to_vec()));
        let keys = spin_kv::HostStore::get_keys(&mut request, Resource::new_borrow(store.rep()));
        assert_eq!(keys.unwrap().unwrap(), vec!["k".to_owned()]);
    }
}
