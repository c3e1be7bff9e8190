//! The compare-and-swap loop every index update goes through: read, decide, CAS, retry on contention.

use crate::error::ApiError;
use crate::store::{CAS_RETRIES, KvStore, StoreError};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// What an update closure decided after looking at the current value.
pub(crate) enum Decision<R> {
    /// Write the (modified) value and return `R` once the CAS succeeded.
    Write(R),
    /// Leave the value as it is and return `R` now.
    Keep(R),
}

/// Reads a JSON value (absent = `T::default()`). A value that does not parse is a storage fault.
pub(crate) fn read<T: DeserializeOwned + Default>(store: &dyn KvStore, key: &str) -> Result<T, StoreError> {
    match store.get(key)? {
        Some(raw) => parse(key, &raw),
        None => Ok(T::default()),
    }
}

fn parse<T: DeserializeOwned>(key: &str, raw: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(raw).map_err(|e| StoreError(format!("value of {key} is corrupt: {e}")))
}

/// Applies `decide` to the current JSON value of `key` and commits it with one CAS (see [`update_with`]).
pub(crate) fn update<T, R>(
    store: &dyn KvStore,
    key: &str,
    decide: impl FnMut(&mut T) -> Result<Decision<R>, ApiError>,
) -> Result<R, ApiError>
where
    T: Serialize + DeserializeOwned + Default,
{
    let encode = |value: &T| serde_json::to_vec(value).map_err(|e| StoreError(format!("cannot encode {key}: {e}")));
    update_with(store, key, |raw| parse(key, raw), encode, decide)
}

/// Applies `decide` to the current value of `key` (absent = `T::default()`, else `decode`d) and commits
/// the `encode`d result with one CAS, retrying from a fresh read when another writer won the race.
/// Gives up with 503 after [`CAS_RETRIES`] lost races.
pub(crate) fn update_with<T, R>(
    store: &dyn KvStore,
    key: &str,
    decode: impl Fn(&[u8]) -> Result<T, StoreError>,
    encode: impl Fn(&T) -> Result<Vec<u8>, StoreError>,
    mut decide: impl FnMut(&mut T) -> Result<Decision<R>, ApiError>,
) -> Result<R, ApiError>
where
    T: Default,
{
    for _ in 0..CAS_RETRIES {
        let raw = store.get(key)?;
        let mut value = match &raw {
            Some(raw) => decode(raw)?,
            None => T::default(),
        };
        match decide(&mut value)? {
            Decision::Keep(result) => return Ok(result),
            Decision::Write(result) => {
                let new = encode(&value)?;
                if store.compare_and_swap(key, raw.as_deref(), &new)? {
                    return Ok(result);
                }
            }
        }
    }
    Err(ApiError::contention(key))
}
