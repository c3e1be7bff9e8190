//! First use of an index: its root is created exactly once, without a compare-and-swap on an absent
//! key (Spin's SQLite store turns that into an upsert, so two racing creators would both "win").
//!
//! The request that wins `increment(claim/{root}) == 1` writes the root; every other request that
//! finds the root absent polls for it. If the claim's winner died before writing, a waiter writes the
//! root after [`Layout::first_use_wait`]. The created value is deterministic in content (the empty
//! index, or the migration of an older layout), so a late duplicate creation by two takers-over
//! writes equal records.

use crate::error::ApiError;
use crate::shards::{Index, Layout, initial_root};
use crate::store::StoreError;
use crate::write_id;
use std::time::{Duration, Instant};

/// The root value of `K`'s index, created first if the store has none.
pub(crate) fn root<K: Index>(layout: Layout) -> Result<Vec<u8>, ApiError> {
    if let Some(raw) = layout.store.get(K::ROOT)? {
        return Ok(raw);
    }
    let claim = format!("claim/{}", K::ROOT);
    // Not the claim's winner: wait for the root; if it never comes, the winner is gone: take over.
    if claim_count(layout, &claim)? != 1
        && let Some(raw) = wait_for::<K>(layout)?
    {
        return Ok(raw);
    }
    let initial = initial_root::<K>(layout, &write_id::new()?)?;
    if layout.store.get(K::ROOT)?.is_none() {
        // Its result is not trusted (Redis reports failure after writing): the read below decides.
        let _ = layout.store.compare_and_swap(K::ROOT, None, &initial);
    }
    layout.store.get(K::ROOT)?.ok_or_else(|| {
        ApiError::unavailable("the storage backend is unavailable; retry later")
            .with_cause(format!("the backend did not keep the newly created {}", K::ROOT))
    })
}

/// How often a claim whose `increment` failed as unavailable is tried again.
const CLAIM_RETRIES: u32 = 5;

/// `increment(claim)`, tried again after a short pause when the backend answers "unavailable": two
/// `spin up` processes on one SQLite file get `database is locked` on racing first writes (seen
/// under a real Spin 4.1). Trying again is safe even if a failed attempt did count: the count is then
/// above 1, and this request waits for the root and takes over like any other.
fn claim_count(layout: Layout, claim: &str) -> Result<i64, ApiError> {
    let mut pause = Duration::from_millis(5);
    for _ in 0..CLAIM_RETRIES {
        match layout.store.increment(claim, 1) {
            Err(StoreError::Unavailable(_)) => std::thread::sleep(pause),
            other => return Ok(other?),
        }
        pause *= 2;
    }
    Ok(layout.store.increment(claim, 1)?)
}

/// Polls for the root with a growing pause (1 ms doubling up to 100 ms) until `first_use_wait` is over.
fn wait_for<K: Index>(layout: Layout) -> Result<Option<Vec<u8>>, ApiError> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(1);
    while start.elapsed() < layout.first_use_wait {
        std::thread::sleep(pause.min(layout.first_use_wait.saturating_sub(start.elapsed())));
        if let Some(raw) = layout.store.get(K::ROOT)? {
            return Ok(Some(raw));
        }
        pause = (pause * 2).min(Duration::from_millis(100));
    }
    Ok(None)
}
