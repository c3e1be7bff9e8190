//! What several of the API's integration tests share.

use openehr_defs_api::{KvStore, StoreError};

/// Any store, saying it keeps immutable values in memory as the native server's SQLite store does,
/// so the API writes that store's layout: template cache values without a copy of the body.
pub struct ChunksInMemory<S>(pub S);

impl<S: KvStore> KvStore for ChunksInMemory<S> {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
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
    fn compare_and_swap(&self, key: &str, expected: Option<&[u8]>, new: &[u8]) -> Result<bool, StoreError> {
        self.0.compare_and_swap(key, expected, new)
    }
    fn caches_immutable_values(&self) -> bool {
        true
    }
}
