//! Bodies stored as content-addressed chunks, so a large artefact fits backends with value-size limits
//! and concurrent uploads never overwrite each other's bytes.

use crate::store::{KvStore, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where a body's bytes are: its size and the keys of its chunks, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub size: u64,
    pub chunks: Vec<String>,
}

/// Lower-case hex SHA-256 of `bytes`: chunk keys and strong ETags.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    hex
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The largest chunk: 1 MiB keeps a 4 MB OPT at 4 reads; a smaller value limit makes chunks smaller.
pub(crate) const MAX_CHUNK_BYTES: usize = 1024 * 1024;

/// Writes `body` as chunks of at most `max_value_bytes` (before any commit point) and returns its manifest.
pub(crate) fn put_body(store: &dyn KvStore, body: &[u8], max_value_bytes: usize) -> Result<Manifest, StoreError> {
    let chunk_bytes = max_value_bytes.clamp(1, MAX_CHUNK_BYTES);
    let mut chunks = Vec::with_capacity(body.len().div_ceil(chunk_bytes));
    for chunk in body.chunks(chunk_bytes) {
        let key = format!("blob/{}", sha256_hex(chunk));
        store.set(&key, chunk)?;
        chunks.push(key);
    }
    Ok(Manifest { size: body.len() as u64, chunks })
}

/// Reassembles a body. A missing chunk or a size mismatch is a storage fault, not a client error.
pub(crate) fn get_body(store: &dyn KvStore, manifest: &Manifest) -> Result<Vec<u8>, StoreError> {
    let read = |key: &String| store.get(key)?.ok_or_else(|| StoreError::corrupt(format!("chunk {key} is missing")));
    let body = match manifest.chunks.as_slice() {
        // The common case (bodies under 1 MiB): the chunk is the body, no second copy.
        [only] => read(only)?,
        chunks => {
            let mut body = Vec::with_capacity(usize::try_from(manifest.size).unwrap_or(0));
            for key in chunks {
                body.extend_from_slice(&read(key)?);
            }
            body
        }
    };
    if body.len() as u64 != manifest.size {
        return Err(StoreError::corrupt(format!("body has {} bytes, its manifest says {}", body.len(), manifest.size)));
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    #[test]
    fn a_body_larger_than_one_chunk_round_trips() {
        let store = MemoryStore::new();
        let body: Vec<u8> = (0..MAX_CHUNK_BYTES * 2 + 17).map(|i| (i % 251) as u8).collect();
        let manifest = put_body(&store, &body, usize::MAX).unwrap();
        assert_eq!(manifest.chunks.len(), 3);
        assert_eq!(get_body(&store, &manifest).unwrap(), body);
        let manifest = put_body(&store, &body, 256 * 1024).unwrap();
        assert_eq!(manifest.chunks.len(), 9);
        assert_eq!(get_body(&store, &manifest).unwrap(), body);
    }

    #[test]
    fn single_and_missing_chunks_and_wrong_sizes() {
        let store = MemoryStore::new();
        let manifest = put_body(&store, b"abc", 1024).unwrap();
        assert_eq!(get_body(&store, &manifest).unwrap(), b"abc");
        let short = Manifest { size: 4, ..manifest.clone() };
        assert!(get_body(&store, &short).unwrap_err().detail().contains("manifest says 4"));
        let missing = Manifest { size: 3, chunks: vec!["blob/none".into()] };
        assert!(get_body(&store, &missing).unwrap_err().detail().contains("blob/none is missing"));
        let empty = put_body(&store, b"", 1024).unwrap();
        assert_eq!(get_body(&store, &empty).unwrap(), b"");
    }

    #[test]
    fn sha256_of_abc_is_the_known_vector() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
