//! `fermyon:spin/key-value@2.0.0` and `wasi:keyvalue/{store,atomics}@0.2.0-draft2` over one
//! [`Connection`](crate::backend::Connection) per listener: this file only maps WIT calls and errors; what the
//! store does (per `--store` mode) is in `backend.rs`.

use wasmtime::component::Resource;

use crate::backend::{CasHandle, Connection, Failure, Swapped};
use crate::bindings::fermyon::spin::key_value::{self as spin_kv, Error as SpinError};
use crate::bindings::wasi::keyvalue::atomics::{self, CasError};
use crate::bindings::wasi::keyvalue::store::{self as wasi_store, Error as WasiError, KeyResponse};
use crate::state::RequestState;

/// The only label granted, as with `key_value_stores = ["default"]` in `spin.toml`.
pub const DEFAULT_LABEL: &str = "default";

/// An open `fermyon:spin/key-value` store (only `default` exists).
pub struct SpinStoreHandle;

/// An open `wasi:keyvalue` bucket (only `default` exists).
pub struct BucketHandle;

/// A store error becomes the interface's `error::other`; a [`Failure::Trap`] traps the guest.
fn spin_result<T>(result: Result<T, Failure>) -> wasmtime::Result<Result<T, SpinError>> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(Failure::Store(message)) => Ok(Err(SpinError::Other(message))),
        Err(Failure::Trap(message)) => Err(wasmtime::Error::msg(message)),
    }
}

fn wasi_result<T>(result: Result<T, Failure>) -> wasmtime::Result<Result<T, WasiError>> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(Failure::Store(message)) => Ok(Err(WasiError::Other(message))),
        Err(Failure::Trap(message)) => Err(wasmtime::Error::msg(message)),
    }
}

/// `--kv-latency-us`: every call that reads or writes the data first waits this long, like a round trip to a
/// real backend. That widens the window between a `current()` and its `swap` to a realistic size.
/// In `spin-sqlite` mode the call also costs what it costs in Spin: Spin's SQLite store runs every operation
/// (and every store open) in `tokio::task::block_in_place`, which hands the runtime thread's other work away.
async fn round_trip(kv: &Connection) {
    let latency = kv.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if kv.blocks_per_call() {
        crate::state::block_in_place_like_spin();
    }
}

impl spin_kv::Host for RequestState {}

impl spin_kv::HostStore for RequestState {
    async fn open(&mut self, label: String) -> wasmtime::Result<Result<Resource<SpinStoreHandle>, SpinError>> {
        if label != DEFAULT_LABEL {
            return Ok(Err(SpinError::AccessDenied));
        }
        if self.kv.blocks_per_call() {
            crate::state::block_in_place_like_spin(); // Spin's SQLite store manager, on every open
        }
        Ok(Ok(self.table.push(SpinStoreHandle)?))
    }

    async fn get(
        &mut self,
        store: Resource<SpinStoreHandle>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, SpinError>> {
        self.table.get(&store)?;
        round_trip(&self.kv).await;
        spin_result(self.kv.get(&key))
    }

    async fn set(
        &mut self,
        store: Resource<SpinStoreHandle>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), SpinError>> {
        self.table.get(&store)?;
        round_trip(&self.kv).await;
        spin_result(self.kv.set(&key, value))
    }

    async fn delete(
        &mut self,
        store: Resource<SpinStoreHandle>,
        key: String,
    ) -> wasmtime::Result<Result<(), SpinError>> {
        self.table.get(&store)?;
        round_trip(&self.kv).await;
        spin_result(self.kv.delete(&key))
    }

    async fn exists(
        &mut self,
        store: Resource<SpinStoreHandle>,
        key: String,
    ) -> wasmtime::Result<Result<bool, SpinError>> {
        self.table.get(&store)?;
        round_trip(&self.kv).await;
        spin_result(self.kv.exists(&key))
    }

    async fn get_keys(&mut self, store: Resource<SpinStoreHandle>) -> wasmtime::Result<Result<Vec<String>, SpinError>> {
        self.table.get(&store)?;
        round_trip(&self.kv).await;
        spin_result(self.kv.keys())
    }

    async fn drop(&mut self, store: Resource<SpinStoreHandle>) -> wasmtime::Result<()> {
        self.table.delete(store)?;
        Ok(())
    }
}

impl wasi_store::Host for RequestState {
    async fn open(&mut self, identifier: String) -> wasmtime::Result<Result<Resource<BucketHandle>, WasiError>> {
        if identifier != DEFAULT_LABEL {
            return Ok(Err(WasiError::NoSuchStore));
        }
        if self.kv.blocks_per_call() {
            crate::state::block_in_place_like_spin(); // Spin's SQLite store manager, on every open
        }
        Ok(Ok(self.table.push(BucketHandle)?))
    }
}

impl wasi_store::HostBucket for RequestState {
    async fn get(
        &mut self,
        bucket: Resource<BucketHandle>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, WasiError>> {
        self.table.get(&bucket)?;
        round_trip(&self.kv).await;
        wasi_result(self.kv.get(&key))
    }

    async fn set(
        &mut self,
        bucket: Resource<BucketHandle>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), WasiError>> {
        self.table.get(&bucket)?;
        round_trip(&self.kv).await;
        wasi_result(self.kv.set(&key, value))
    }

    async fn delete(&mut self, bucket: Resource<BucketHandle>, key: String) -> wasmtime::Result<Result<(), WasiError>> {
        self.table.get(&bucket)?;
        round_trip(&self.kv).await;
        wasi_result(self.kv.delete(&key))
    }

    async fn exists(
        &mut self,
        bucket: Resource<BucketHandle>,
        key: String,
    ) -> wasmtime::Result<Result<bool, WasiError>> {
        self.table.get(&bucket)?;
        round_trip(&self.kv).await;
        wasi_result(self.kv.exists(&key))
    }

    /// Everything in one page: the test data sets are small.
    async fn list_keys(
        &mut self,
        bucket: Resource<BucketHandle>,
        _cursor: Option<String>,
    ) -> wasmtime::Result<Result<KeyResponse, WasiError>> {
        self.table.get(&bucket)?;
        round_trip(&self.kv).await;
        wasi_result(self.kv.keys().map(|keys| KeyResponse { keys, cursor: None }))
    }

    async fn drop(&mut self, bucket: Resource<BucketHandle>) -> wasmtime::Result<()> {
        self.table.delete(bucket)?;
        Ok(())
    }
}

impl atomics::Host for RequestState {
    async fn increment(
        &mut self,
        bucket: Resource<BucketHandle>,
        key: String,
        delta: i64,
    ) -> wasmtime::Result<Result<i64, WasiError>> {
        self.table.get(&bucket)?;
        round_trip(&self.kv).await;
        wasi_result(self.kv.increment(&key, delta))
    }

    async fn swap(&mut self, cas: Resource<CasHandle>, value: Vec<u8>) -> wasmtime::Result<Result<(), CasError>> {
        let cas = self.table.delete(cas)?;
        round_trip(&self.kv).await;
        match self.kv.swap(cas, value) {
            Ok(Swapped::Ok) => Ok(Ok(())),
            Ok(Swapped::CasFailed(retry)) => Ok(Err(CasError::CasFailed(self.table.push(retry)?))),
            Err(Failure::Store(message)) => Ok(Err(CasError::StoreError(WasiError::Other(message)))),
            Err(Failure::Trap(message)) => Err(wasmtime::Error::msg(message)),
        }
    }
}

impl atomics::HostCas for RequestState {
    async fn new(
        &mut self,
        bucket: Resource<BucketHandle>,
        key: String,
    ) -> wasmtime::Result<Result<Resource<CasHandle>, WasiError>> {
        self.table.get(&bucket)?;
        match wasi_result(self.kv.cas_new(&key))? {
            Ok(cas) => Ok(Ok(self.table.push(cas)?)),
            Err(error) => Ok(Err(error)),
        }
    }

    async fn current(&mut self, cas: Resource<CasHandle>) -> wasmtime::Result<Result<Option<Vec<u8>>, WasiError>> {
        round_trip(&self.kv).await;
        wasi_result(self.kv.cas_current(self.table.get_mut(&cas)?))
    }

    async fn drop(&mut self, cas: Resource<CasHandle>) -> wasmtime::Result<()> {
        self.table.delete(cas)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::backend::{Backend, Connection, SharedKv};
    use crate::bindings::wasi::keyvalue::atomics::{Host as _, HostCas as _};
    use crate::bindings::wasi::keyvalue::store::HostBucket as _;

    /// A request of its own listener (process) over the shared data.
    fn state(kv: &Arc<SharedKv>) -> RequestState {
        RequestState::new(Arc::new(Connection::new(kv.clone())), Arc::default())
    }

    fn shared(backend: Backend, max_value_bytes: Option<usize>) -> Arc<SharedKv> {
        Arc::new(SharedKv::new(backend, max_value_bytes))
    }

    /// Two requests race on the same key: the first swap wins, the second sees `cas-failed` with a handle that
    /// already shows the winner's value, as the WIT asks.
    #[tokio::test]
    async fn second_of_two_racing_swaps_fails_with_a_refreshed_handle() {
        let kv = shared(Backend::Atomic, None);
        let (mut first, mut second) = (state(&kv), state(&kv));
        let bucket_a = wasi_store::Host::open(&mut first, "default".into()).await.unwrap().unwrap();
        let bucket_b = wasi_store::Host::open(&mut second, "default".into()).await.unwrap().unwrap();
        let cas_a = first.new(Resource::new_borrow(bucket_a.rep()), "index".into()).await.unwrap().unwrap();
        let cas_b = second.new(Resource::new_borrow(bucket_b.rep()), "index".into()).await.unwrap().unwrap();
        assert_eq!(first.current(Resource::new_borrow(cas_a.rep())).await.unwrap().unwrap(), None);

        assert!(first.swap(cas_a, b"a".to_vec()).await.unwrap().is_ok());
        let Err(CasError::CasFailed(retry)) = second.swap(cas_b, b"b".to_vec()).await.unwrap() else {
            panic!("the stale swap must fail with cas-failed");
        };
        assert_eq!(second.current(Resource::new_borrow(retry.rep())).await.unwrap().unwrap(), Some(b"a".to_vec()));
        assert!(second.swap(retry, b"b".to_vec()).await.unwrap().is_ok());
        assert_eq!(
            first.get(Resource::new_borrow(bucket_a.rep()), "index".into()).await.unwrap().unwrap(),
            Some(b"b".to_vec())
        );
    }

    #[tokio::test]
    async fn only_the_default_label_opens() {
        let kv = shared(Backend::Atomic, None);
        let mut request = state(&kv);
        assert!(matches!(
            wasi_store::Host::open(&mut request, "other".into()).await.unwrap(),
            Err(WasiError::NoSuchStore)
        ));
        assert!(matches!(
            spin_kv::HostStore::open(&mut request, "other".into()).await.unwrap(),
            Err(SpinError::AccessDenied)
        ));
    }

    #[tokio::test]
    async fn both_interfaces_see_the_same_data() {
        let kv = shared(Backend::Atomic, None);
        let mut request = state(&kv);
        let store = spin_kv::HostStore::open(&mut request, "default".into()).await.unwrap().unwrap();
        spin_kv::HostStore::set(&mut request, Resource::new_borrow(store.rep()), "k".into(), b"v".to_vec())
            .await
            .unwrap()
            .unwrap();
        let bucket = wasi_store::Host::open(&mut request, "default".into()).await.unwrap().unwrap();
        let seen = wasi_store::HostBucket::get(&mut request, Resource::new_borrow(bucket.rep()), "k".into()).await;
        assert_eq!(seen.unwrap().unwrap(), Some(b"v".to_vec()));
        let keys = spin_kv::HostStore::get_keys(&mut request, Resource::new_borrow(store.rep())).await;
        assert_eq!(keys.unwrap().unwrap(), vec!["k".to_owned()]);
    }

    /// Store errors are values of each interface's error type; Spin's panics are traps (`Err` from the host).
    #[tokio::test]
    async fn store_errors_are_values_and_spin_panics_are_traps() {
        let kv = shared(Backend::SpinSqlite, Some(4));
        let mut request = state(&kv);
        let store = spin_kv::HostStore::open(&mut request, "default".into()).await.unwrap().unwrap();
        let too_big =
            spin_kv::HostStore::set(&mut request, Resource::new_borrow(store.rep()), "k".into(), vec![0; 5]).await;
        assert!(
            matches!(too_big.unwrap(), Err(SpinError::Other(m)) if m == "value of k is 5 bytes, over the backend's limit of 4")
        );
        spin_kv::HostStore::set(&mut request, Resource::new_borrow(store.rep()), "k".into(), vec![1])
            .await
            .unwrap()
            .unwrap();
        let bucket = wasi_store::Host::open(&mut request, "default".into()).await.unwrap().unwrap();
        let cas = request.new(Resource::new_borrow(bucket.rep()), "k".into()).await.unwrap().unwrap();
        request.current(Resource::new_borrow(cas.rep())).await.unwrap().unwrap();
        let Err(CasError::StoreError(WasiError::Other(message))) = request.swap(cas, vec![0; 5]).await.unwrap() else {
            panic!("an oversized swap is a store error");
        };
        assert!(message.contains("over the backend's limit of 4"), "{message}");
        let trap = request.increment(Resource::new_borrow(bucket.rep()), "k".into(), 1).await;
        assert!(trap.is_err_and(|error| error.to_string().contains("incorrect length")));
    }

    #[tokio::test]
    async fn increment_goes_through_the_backend() {
        let kv = shared(Backend::Redis, None);
        let mut request = state(&kv);
        let bucket = wasi_store::Host::open(&mut request, "default".into()).await.unwrap().unwrap();
        assert_eq!(request.increment(Resource::new_borrow(bucket.rep()), "n".into(), 7).await.unwrap().unwrap(), 7);
        let stored = wasi_store::HostBucket::get(&mut request, Resource::new_borrow(bucket.rep()), "n".into()).await;
        assert_eq!(stored.unwrap().unwrap(), Some(b"7".to_vec()));
    }

    #[tokio::test]
    async fn every_data_call_waits_the_configured_latency() {
        let kv = Arc::new(SharedKv::new(Backend::Atomic, None).with_latency(Duration::from_millis(30)));
        let mut request = state(&kv);
        let bucket = wasi_store::Host::open(&mut request, "default".into()).await.unwrap().unwrap();
        let started = tokio::time::Instant::now();
        wasi_store::HostBucket::get(&mut request, Resource::new_borrow(bucket.rep()), "k".into())
            .await
            .unwrap()
            .unwrap();
        request.increment(Resource::new_borrow(bucket.rep()), "n".into(), 1).await.unwrap().unwrap();
        assert!(started.elapsed() >= Duration::from_millis(60), "{:?}", started.elapsed());
    }
}
