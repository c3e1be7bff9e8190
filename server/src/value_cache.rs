//! A bounded in-memory cache for the values of immutable keys ([`openehr_defs_api::is_immutable_key`]:
//! body chunks and index shards), so hot values are served without touching SQLite.
//!
//! Mutable keys (the indexes, the query lists) never enter it, so it can never serve a stale index.
//! Eviction is first-in-first-out by insertion: cheap, and good enough for a working set that is
//! either small (it all fits) or uniformly hit (any policy misses alike).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

/// Values larger than this share of the budget are not cached (one chunk must not flush the rest).
const MAX_SHARE: usize = 8;

pub(crate) struct ValueCache {
    budget: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    values: HashMap<String, Arc<[u8]>>,
    /// Keys in insertion order, oldest first (each key at most once).
    order: VecDeque<String>,
    bytes: usize,
    /// Bumped by every invalidation: a fill that read the store before it is dropped (see [`ValueCache::fill`]).
    generation: u64,
}

/// Taken before reading the store, handed back to [`ValueCache::fill`].
#[derive(Clone, Copy)]
pub(crate) struct Ticket(u64);

impl ValueCache {
    /// A cache holding at most `budget` bytes of values (keys are not counted).
    pub fn new(budget: usize) -> Self {
        ValueCache { budget, inner: Mutex::new(Inner::default()) }
    }

    /// A poisoned lock only means another thread panicked mid-update; the map is still consistent
    /// (every update is a few infallible steps), so keep serving rather than failing requests.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn get(&self, key: &str) -> Option<Arc<[u8]>> {
        self.lock().values.get(key).cloned()
    }

    pub fn ticket(&self) -> Ticket {
        Ticket(self.lock().generation)
    }

    /// Stores `value` read from the store after `ticket` was taken, unless a write or delete of any
    /// key happened since (then the value read may already be outdated, and is simply not cached).
    pub fn fill(&self, ticket: Ticket, key: &str, value: &[u8]) {
        if value.len() > self.budget / MAX_SHARE {
            return;
        }
        let mut inner = self.lock();
        if inner.generation != ticket.0 || inner.values.contains_key(key) {
            return;
        }
        while inner.bytes + value.len() > self.budget {
            let Some(oldest) = inner.order.pop_front() else { break };
            if let Some(evicted) = inner.values.remove(&oldest) {
                inner.bytes -= evicted.len();
            }
        }
        inner.bytes += value.len();
        inner.values.insert(key.to_owned(), Arc::from(value));
        inner.order.push_back(key.to_owned());
    }

    /// Forgets `key` before its value changes or disappears.
    pub fn invalidate(&self, key: &str) {
        let mut inner = self.lock();
        inner.generation = inner.generation.wrapping_add(1);
        if let Some(removed) = inner.values.remove(key) {
            inner.bytes -= removed.len();
            inner.order.retain(|k| k != key);
        }
    }

    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.lock().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_evict_the_oldest_first_within_the_budget() {
        let cache = ValueCache::new(80);
        for key in ["a", "b", "c", "d"] {
            cache.fill(cache.ticket(), key, &[0; 10]);
        }
        assert_eq!(cache.bytes(), 40);
        cache.fill(cache.ticket(), "e", &[1; 10]);
        cache.fill(cache.ticket(), "f", &[1; 10]);
        cache.fill(cache.ticket(), "g", &[1; 10]);
        cache.fill(cache.ticket(), "h", &[1; 10]);
        cache.fill(cache.ticket(), "i", &[1; 10]);
        assert!(cache.get("a").is_none(), "the oldest went first");
        assert_eq!(cache.get("b").as_deref(), Some(&[0u8; 10][..]));
        assert_eq!(cache.get("i").as_deref(), Some(&[1u8; 10][..]));
        assert_eq!(cache.bytes(), 80);
    }

    #[test]
    fn values_over_an_eighth_of_the_budget_are_not_cached() {
        let cache = ValueCache::new(80);
        cache.fill(cache.ticket(), "big", &[0; 11]);
        assert!(cache.get("big").is_none());
        cache.fill(cache.ticket(), "fits", &[0; 10]);
        assert!(cache.get("fits").is_some());
    }

    #[test]
    fn a_fill_that_raced_an_invalidation_is_dropped() {
        let cache = ValueCache::new(80);
        let before_write = cache.ticket();
        cache.invalidate("k");
        cache.fill(before_write, "k", b"old");
        assert!(cache.get("k").is_none());
        cache.fill(cache.ticket(), "k", b"new");
        assert_eq!(cache.get("k").as_deref(), Some(&b"new"[..]));
        cache.invalidate("k");
        assert!(cache.get("k").is_none());
        assert_eq!(cache.bytes(), 0);
    }
}
