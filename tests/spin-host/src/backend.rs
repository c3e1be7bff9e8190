//! What the key-value store does, per `--store` mode: one shared map, and the compare-and-swap, increment and
//! size-limit behaviour of one Spin backend, defects included. `kv.rs` only maps this onto the WIT interfaces.
//!
//! The Spin behaviours are read from Spin's sources (spinframework/spin, `crates/key-value-spin/src/store.rs`,
//! `crates/key-value-redis/src/store.rs`, `crates/factor-key-value/src/host.rs`), cited per arm below.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Which backend's semantics the store reproduces (`--store`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `--store atomic` (the default): compare-and-swap is one critical section for present and absent keys, and
    /// `swap` reports the truth; `increment` is atomic and stores 8 bytes little-endian. Stands for Spin's
    /// `azure_cosmos` / `aws_dynamo` stores (etag / condition-expression CAS, create-only on absent keys) and the
    /// native server's SQLite.
    Atomic,
    /// `--store spin-sqlite`: Spin's default `type = "spin"` store, `crates/key-value-spin/src/store.rs`.
    /// `cas.new` takes no snapshot; `current()` reads the row into it. `swap` with a snapshot `Some(old)` is
    /// `UPDATE … WHERE value = old` (atomic); with `None` (key absent, or `current()` never called) it is
    /// `INSERT … ON CONFLICT DO UPDATE`, an upsert that always succeeds: racing creators all "win", the last
    /// write stays. `increment` reads `i64::from_le_bytes(value.try_into().expect("incorrect length"))`, so
    /// a value that is not exactly 8 bytes PANICS the host (modelled as a trap, see [`Failure::Trap`]).
    SpinSqlite,
    /// `--store redis`: `type = "redis"`, `crates/key-value-redis/src/store.rs`. `current()` is `WATCH key` +
    /// `GET key`; `swap` is `MULTI / SET / EXEC`, which writes only if nobody wrote the watched key since the
    /// `WATCH` (any write, even of the same bytes; absent keys are watched too); then Spin sends `UNWATCH key`,
    /// which Redis rejects (UNWATCH takes no arguments) and Spin's `?` turns into `CasFailed`: **`swap` always
    /// reports `cas-failed`, whether it wrote or not**. `increment` is `INCRBY`: a decimal ASCII integer.
    Redis,
}

impl Backend {
    pub fn parse(name: &str) -> Option<Backend> {
        match name {
            "atomic" => Some(Backend::Atomic),
            "spin-sqlite" => Some(Backend::SpinSqlite),
            "redis" => Some(Backend::Redis),
            _ => None,
        }
    }
}

/// A failed store call, as the guest sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// A store error: `error::other(message)` in both key-value interfaces.
    Store(String),
    /// Where Spin's host code panics. The panic unwinds out of the guest call, so the request fails without a
    /// response from the component; the closest wasmtime equivalent is a trap (the host function returns `Err`).
    Trap(String),
}

/// The data of all listeners (all `spin up` processes sharing one database or Redis server).
pub struct SharedKv {
    backend: Backend,
    /// `--max-value-bytes`: larger values are refused like a backend's item-size limit.
    max_value_bytes: Option<usize>,
    /// `--kv-latency-us`: how long each call that reads or writes the data waits first (applied in `kv.rs`).
    latency: Duration,
    data: Mutex<Data>,
}

#[derive(Default)]
struct Data {
    entries: HashMap<String, Vec<u8>>,
    /// How many times each key was written (set, delete of a present key, swap, increment), kept after deletes:
    /// what Redis `WATCH` notices. Every mode counts; only `Redis` reads it.
    writes: HashMap<String, u64>,
}

impl Data {
    fn write(&mut self, key: &str, value: Vec<u8>) {
        self.entries.insert(key.to_owned(), value);
        *self.writes.entry(key.to_owned()).or_default() += 1;
    }

    fn remove(&mut self, key: &str) {
        // Redis `DEL` of a missing key modifies nothing, so it does not touch watchers.
        if self.entries.remove(key).is_some() {
            *self.writes.entry(key.to_owned()).or_default() += 1;
        }
    }

    fn write_count(&self, key: &str) -> u64 {
        self.writes.get(key).copied().unwrap_or(0)
    }
}

impl SharedKv {
    pub fn new(backend: Backend, max_value_bytes: Option<usize>) -> Self {
        SharedKv { backend, max_value_bytes, latency: Duration::ZERO, data: Mutex::default() }
    }

    pub fn with_latency(self, latency: Duration) -> Self {
        SharedKv { latency, ..self }
    }

    /// Every mutation below is a complete step under the lock, so a poisoned lock (a panicking test thread)
    /// still guards consistent data.
    fn data(&self) -> MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Refuses a value over `--max-value-bytes` before anything is written.
    fn check_size(&self, key: &str, len: usize) -> Result<(), Failure> {
        match self.max_value_bytes {
            Some(limit) if len > limit => {
                Err(Failure::Store(format!("value of {key} is {len} bytes, over the backend's limit of {limit}")))
            }
            _ => Ok(()),
        }
    }
}

/// A pending compare-and-swap. Which field matters depends on the backend.
#[derive(Debug, Clone)]
pub struct CasHandle {
    key: String,
    /// `Atomic` / `SpinSqlite`: the value `swap` compares against (`SpinSqlite`: `None` until `current()`).
    seen: Option<Vec<u8>>,
    /// `Redis`: the key's write count at the (first) `WATCH`; `None` when `current()` was never called.
    watched: Option<u64>,
}

/// What `swap` reports to the guest.
#[derive(Debug)]
pub enum Swapped {
    Ok,
    /// `cas-failed` with a handle refreshed to the latest value: Spin's `host.rs` does `new` + `current` on
    /// every `SwapError::CasFailed`.
    CasFailed(CasHandle),
}

/// One `spin up` process's connection to the shared data. Per process because Spin's SQLite store guards its
/// connection with a `std::sync::Mutex`, which the increment panic poisons for that process only.
pub struct Connection {
    shared: Arc<SharedKv>,
    /// `SpinSqlite` only: set by the increment panic. Spin then panics in every later call that locks the
    /// connection (`.lock().unwrap()` on a `PoisonError`) until the process restarts.
    sqlite_poisoned: AtomicBool,
}

impl Connection {
    pub fn new(shared: Arc<SharedKv>) -> Self {
        Connection { shared, sqlite_poisoned: AtomicBool::new(false) }
    }

    fn backend(&self) -> Backend {
        self.shared.backend
    }

    /// Whether each call blocks a runtime thread in Spin (its SQLite store does; see `kv::round_trip`).
    pub fn blocks_per_call(&self) -> bool {
        self.backend() == Backend::SpinSqlite
    }

    pub fn latency(&self) -> Duration {
        self.shared.latency
    }

    /// The data, as a call that locks Spin's SQLite connection sees it.
    fn lock(&self) -> Result<MutexGuard<'_, Data>, Failure> {
        if self.backend() == Backend::SpinSqlite && self.sqlite_poisoned.load(Ordering::SeqCst) {
            return Err(Failure::Trap(
                "spin-sqlite: Spin panics on `connection.lock().unwrap()`: PoisonError (an earlier increment \
                 panicked while holding the connection; crates/key-value-spin/src/store.rs)"
                    .to_owned(),
            ));
        }
        Ok(self.shared.data())
    }

    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Failure> {
        Ok(self.lock()?.entries.get(key).cloned())
    }

    pub fn set(&self, key: &str, value: Vec<u8>) -> Result<(), Failure> {
        self.shared.check_size(key, value.len())?;
        self.lock()?.write(key, value);
        Ok(())
    }

    pub fn delete(&self, key: &str) -> Result<(), Failure> {
        self.lock()?.remove(key);
        Ok(())
    }

    pub fn exists(&self, key: &str) -> Result<bool, Failure> {
        Ok(self.lock()?.entries.contains_key(key))
    }

    /// Every key, sorted (Spin's order is the backend's; sorted keeps tests deterministic).
    pub fn keys(&self) -> Result<Vec<String>, Failure> {
        let mut keys: Vec<String> = self.lock()?.entries.keys().cloned().collect();
        keys.sort();
        Ok(keys)
    }

    /// `cas.new`.
    pub fn cas_new(&self, key: &str) -> Result<CasHandle, Failure> {
        let seen = match self.backend() {
            // Snapshot at creation; `current()` refreshes it.
            Backend::Atomic => self.lock()?.entries.get(key).cloned(),
            // `new_compare_and_swap`: `value: Mutex::new(None)`, no read (and no lock of the connection).
            // Redis: a new connection, no command yet.
            Backend::SpinSqlite | Backend::Redis => None,
        };
        Ok(CasHandle { key: key.to_owned(), seen, watched: None })
    }

    /// `cas.current`.
    pub fn cas_current(&self, cas: &mut CasHandle) -> Result<Option<Vec<u8>>, Failure> {
        let data = self.lock()?;
        let value = data.entries.get(&cas.key).cloned();
        match self.backend() {
            // SQLite: `SELECT value …` stored as the snapshot (`self.value.lock().unwrap().clone_from(&value)`).
            Backend::Atomic | Backend::SpinSqlite => cas.seen.clone_from(&value),
            // `WATCH key` then `GET key`. Watching an already watched key keeps the first watch (Redis ignores
            // the repeat), so a write since the first `current()` still aborts the `EXEC`.
            Backend::Redis => {
                cas.watched.get_or_insert(data.write_count(&cas.key));
            }
        }
        Ok(value)
    }

    /// `swap`: consumes the handle.
    pub fn swap(&self, cas: CasHandle, value: Vec<u8>) -> Result<Swapped, Failure> {
        // A value over the limit is a store error in every mode, nothing written. (With Spin's Redis code an
        // EXEC error would be masked as cas-failed by the failing UNWATCH; the limit stands for a generic
        // backend limit, so it reports what a truthful backend would.)
        self.shared.check_size(&cas.key, value.len())?;
        let mut data = self.lock()?;
        let current = data.entries.get(&cas.key);
        let reported_ok = match self.backend() {
            Backend::Atomic => {
                let unchanged = current == cas.seen.as_ref();
                if unchanged {
                    data.write(&cas.key, value);
                }
                unchanged
            }
            Backend::SpinSqlite => match &cas.seen {
                // `UPDATE … SET value=new WHERE store AND key AND value=old`: 1 row → Ok, 0 rows → CasFailed.
                Some(old) => {
                    let unchanged = current == Some(old);
                    if unchanged {
                        data.write(&cas.key, value);
                    }
                    unchanged
                }
                // `INSERT … ON CONFLICT(store, key) DO UPDATE SET value=new`: one row changed whether the key
                // appeared meanwhile or not, so the swap "succeeds" and overwrites any racing creator.
                None => {
                    data.write(&cas.key, value);
                    true
                }
            },
            Backend::Redis => {
                // `MULTI / SET / EXEC`: EXEC aborts if the watched key was written since the WATCH; without a
                // WATCH (no `current()`) it always writes.
                let untouched = cas.watched.is_none_or(|count| count == data.write_count(&cas.key));
                if untouched {
                    data.write(&cas.key, value);
                }
                // Then `UNWATCH key` fails ("wrong number of arguments") and its `?` returns CasFailed.
                false
            }
        };
        drop(data);
        if reported_ok {
            return Ok(Swapped::Ok);
        }
        let mut retry = self.cas_new(&cas.key)?;
        self.cas_current(&mut retry)?;
        Ok(Swapped::CasFailed(retry))
    }

    /// `increment`: atomic in every mode (one lock, like Spin's SQLite transaction and Redis `INCRBY`).
    pub fn increment(&self, key: &str, delta: i64) -> Result<i64, Failure> {
        let mut data = self.lock()?;
        let old = data.entries.get(key).cloned();
        let (new, encoded) = match self.backend() {
            Backend::Atomic => {
                let old = match old {
                    None => 0,
                    Some(bytes) => i64::from_le_bytes(bytes.as_slice().try_into().map_err(|_| {
                        Failure::Store(format!("value of {key} is {} bytes, not an 8-byte counter", bytes.len()))
                    })?),
                };
                let new = old
                    .checked_add(delta)
                    .ok_or_else(|| Failure::Store(format!("{key}: {old} + {delta} overflows")))?;
                (new, new.to_le_bytes().to_vec())
            }
            Backend::SpinSqlite => {
                let old = match old {
                    None => 0,
                    Some(bytes) => match <[u8; 8]>::try_from(bytes.as_slice()) {
                        Ok(array) => i64::from_le_bytes(array),
                        Err(_) => {
                            // Spin: `v.try_into().expect("incorrect length")` panics inside the transaction while
                            // holding the connection mutex: the guest call unwinds (a trap here), the transaction
                            // rolls back, and the mutex is poisoned for the rest of this process.
                            let len = bytes.len();
                            drop(data);
                            self.sqlite_poisoned.store(true, Ordering::SeqCst);
                            return Err(Failure::Trap(format!(
                                "spin-sqlite: Spin panics in increment of {key}: `expect(\"incorrect length\")` on a \
                                 {len}-byte value (crates/key-value-spin/src/store.rs)"
                            )));
                        }
                    },
                };
                // `numeric + delta` in Spin's release build (no overflow checks): wraps.
                let new = old.wrapping_add(delta);
                (new, new.to_le_bytes().to_vec())
            }
            Backend::Redis => {
                let old = match old {
                    None => 0,
                    Some(bytes) => parse_redis_integer(&bytes)
                        .ok_or_else(|| Failure::Store("ERR value is not an integer or out of range".to_owned()))?,
                };
                let new = old
                    .checked_add(delta)
                    .ok_or_else(|| Failure::Store("ERR increment or decrement would overflow".to_owned()))?;
                (new, new.to_string().into_bytes())
            }
        };
        self.shared.check_size(key, encoded.len())?;
        data.write(key, encoded);
        Ok(new)
    }
}

/// Redis's `string2ll`: an optional `-`, then digits without leading zeros (`0` alone is fine), fitting an i64;
/// no `+`, no spaces.
fn parse_redis_integer(bytes: &[u8]) -> Option<i64> {
    let digits = bytes.strip_prefix(b"-").unwrap_or(bytes);
    let well_formed = match digits {
        [] => false,
        [b'0'] => bytes.len() == 1,
        [first, rest @ ..] => (b'1'..=b'9').contains(first) && rest.iter().all(u8::is_ascii_digit),
    };
    if !well_formed {
        return None;
    }
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection(backend: Backend) -> Connection {
        Connection::new(Arc::new(SharedKv::new(backend, None)))
    }

    /// Two processes (listeners) over one store.
    fn two_connections(backend: Backend, limit: Option<usize>) -> (Connection, Connection) {
        let shared = Arc::new(SharedKv::new(backend, limit));
        (Connection::new(shared.clone()), Connection::new(shared))
    }

    /// `new` + `current`, as the edge component does.
    fn begin(kv: &Connection, key: &str) -> (CasHandle, Option<Vec<u8>>) {
        let mut cas = kv.cas_new(key).unwrap();
        let seen = kv.cas_current(&mut cas).unwrap();
        (cas, seen)
    }

    fn refreshed(outcome: Swapped) -> CasHandle {
        match outcome {
            Swapped::CasFailed(retry) => retry,
            Swapped::Ok => panic!("expected cas-failed, got Ok"),
        }
    }

    // ------------------------------------------------------------------ spin-sqlite

    #[test]
    fn spin_sqlite_racing_creators_both_win_and_the_last_write_stays() {
        let (a, b) = two_connections(Backend::SpinSqlite, None);
        let (cas_a, seen_a) = begin(&a, "index");
        let (cas_b, seen_b) = begin(&b, "index");
        assert_eq!((seen_a, seen_b), (None, None));
        assert!(matches!(a.swap(cas_a, b"a".to_vec()).unwrap(), Swapped::Ok));
        assert!(matches!(b.swap(cas_b, b"b".to_vec()).unwrap(), Swapped::Ok), "the upsert must also 'win'");
        assert_eq!(a.get("index").unwrap(), Some(b"b".to_vec()), "a's write is lost");
    }

    #[test]
    fn spin_sqlite_swap_without_current_is_an_upsert_even_over_a_present_key() {
        let kv = connection(Backend::SpinSqlite);
        kv.set("k", b"old".to_vec()).unwrap();
        let cas = kv.cas_new("k").unwrap();
        assert!(matches!(kv.swap(cas, b"new".to_vec()).unwrap(), Swapped::Ok));
        assert_eq!(kv.get("k").unwrap(), Some(b"new".to_vec()));
    }

    #[test]
    fn spin_sqlite_update_where_on_present_keys_is_atomic() {
        let (a, b) = two_connections(Backend::SpinSqlite, None);
        a.set("k", b"v0".to_vec()).unwrap();
        let (cas_a, _) = begin(&a, "k");
        let (cas_b, seen) = begin(&b, "k");
        assert_eq!(seen, Some(b"v0".to_vec()));
        assert!(matches!(a.swap(cas_a, b"a".to_vec()).unwrap(), Swapped::Ok));
        let mut retry = refreshed(b.swap(cas_b, b"b".to_vec()).unwrap());
        assert_eq!(a.get("k").unwrap(), Some(b"a".to_vec()), "the stale swap wrote nothing");
        assert_eq!(b.cas_current(&mut retry).unwrap(), Some(b"a".to_vec()), "refreshed to the latest value");
        assert!(matches!(b.swap(retry, b"b".to_vec()).unwrap(), Swapped::Ok));
        assert_eq!(a.get("k").unwrap(), Some(b"b".to_vec()));
    }

    #[test]
    fn spin_sqlite_swap_fails_when_the_key_was_deleted() {
        let kv = connection(Backend::SpinSqlite);
        kv.set("k", b"v".to_vec()).unwrap();
        let (cas, _) = begin(&kv, "k");
        kv.delete("k").unwrap();
        let retry = refreshed(kv.swap(cas, b"w".to_vec()).unwrap());
        assert_eq!(retry.seen, None);
        assert_eq!(kv.get("k").unwrap(), None);
    }

    #[test]
    fn spin_sqlite_increment_is_8_byte_little_endian_and_wraps() {
        let kv = connection(Backend::SpinSqlite);
        assert_eq!(kv.increment("n", 5).unwrap(), 5);
        assert_eq!(kv.increment("n", -7).unwrap(), -2);
        assert_eq!(kv.get("n").unwrap(), Some((-2i64).to_le_bytes().to_vec()));
        kv.set("max", i64::MAX.to_le_bytes().to_vec()).unwrap();
        assert_eq!(kv.increment("max", 1).unwrap(), i64::MIN);
    }

    #[test]
    fn spin_sqlite_increment_of_a_non_8_byte_value_traps_and_poisons_that_process() {
        let (a, b) = two_connections(Backend::SpinSqlite, None);
        a.set("n", b"12".to_vec()).unwrap();
        let Err(Failure::Trap(message)) = a.increment("n", 1) else { panic!("expected a trap") };
        assert!(message.contains("incorrect length") && message.contains("2-byte"), "{message}");
        assert_eq!(b.get("n").unwrap(), Some(b"12".to_vec()), "nothing written");
        // The panicking process's connection mutex is poisoned: every later call that locks it panics too.
        assert!(matches!(a.get("other"), Err(Failure::Trap(_))));
        assert!(matches!(a.set("other", vec![]), Err(Failure::Trap(_))));
        let mut cas = a.cas_new("other").unwrap();
        assert!(matches!(a.cas_current(&mut cas), Err(Failure::Trap(_))));
        // Another process has its own connection.
        assert_eq!(b.increment("m", 1).unwrap(), 1);
    }

    // ------------------------------------------------------------------ redis

    #[test]
    fn redis_swap_reports_cas_failed_even_when_it_wrote() {
        let kv = connection(Backend::Redis);
        let (cas, seen) = begin(&kv, "k");
        assert_eq!(seen, None);
        let mut retry = refreshed(kv.swap(cas, b"mine".to_vec()).unwrap());
        assert_eq!(kv.get("k").unwrap(), Some(b"mine".to_vec()), "EXEC ran: the value was written");
        assert_eq!(kv.cas_current(&mut retry).unwrap(), Some(b"mine".to_vec()), "refreshed handle sees it");
    }

    #[test]
    fn redis_swap_reports_cas_failed_when_exec_aborts_and_writes_nothing() {
        let (a, b) = two_connections(Backend::Redis, None);
        a.set("k", b"v0".to_vec()).unwrap();
        let (cas, seen) = begin(&a, "k");
        assert_eq!(seen, Some(b"v0".to_vec()));
        b.set("k", b"v0".to_vec()).unwrap(); // the same bytes still count as a write for WATCH
        let retry = refreshed(a.swap(cas, b"mine".to_vec()).unwrap());
        assert_eq!(a.get("k").unwrap(), Some(b"v0".to_vec()), "EXEC aborted: nothing written");
        assert_eq!(retry.seen, None, "Redis handles carry a WATCH, not a value");
        assert!(retry.watched.is_some(), "the refreshed handle is watched again");
    }

    #[test]
    fn redis_watch_covers_absent_keys_and_only_the_first_watch_counts() {
        let (a, b) = two_connections(Backend::Redis, None);
        let (mut cas, _) = begin(&a, "k");
        b.set("k", b"theirs".to_vec()).unwrap();
        assert_eq!(a.cas_current(&mut cas).unwrap(), Some(b"theirs".to_vec()));
        refreshed(a.swap(cas, b"mine".to_vec()).unwrap());
        assert_eq!(a.get("k").unwrap(), Some(b"theirs".to_vec()), "creator lost: EXEC aborted");
        // Deleting a missing key is no write; deleting a present one is.
        let (cas, _) = begin(&a, "gone");
        b.delete("gone").unwrap();
        refreshed(a.swap(cas, b"x".to_vec()).unwrap());
        assert_eq!(a.get("gone").unwrap(), Some(b"x".to_vec()));
        let (cas, _) = begin(&a, "gone");
        b.delete("gone").unwrap();
        refreshed(a.swap(cas, b"y".to_vec()).unwrap());
        assert_eq!(a.get("gone").unwrap(), None);
    }

    #[test]
    fn redis_swap_without_current_always_writes() {
        let (a, b) = two_connections(Backend::Redis, None);
        let cas = a.cas_new("k").unwrap();
        b.set("k", b"theirs".to_vec()).unwrap();
        refreshed(a.swap(cas, b"mine".to_vec()).unwrap());
        assert_eq!(a.get("k").unwrap(), Some(b"mine".to_vec()));
    }

    #[test]
    fn redis_increment_is_decimal_and_refuses_non_integers() {
        let kv = connection(Backend::Redis);
        assert_eq!(kv.increment("n", 41).unwrap(), 41);
        assert_eq!(kv.increment("n", 1).unwrap(), 42);
        assert_eq!(kv.get("n").unwrap(), Some(b"42".to_vec()));
        assert_eq!(kv.increment("n", -50).unwrap(), -8);
        assert_eq!(kv.get("n").unwrap(), Some(b"-8".to_vec()));
        let not_integer = Err(Failure::Store("ERR value is not an integer or out of range".to_owned()));
        for bad in [&b"abc"[..], b"", b"+1", b"01", b" 1", b"-0", b"1.5", b"99999999999999999999", &7i64.to_le_bytes()]
        {
            kv.set("bad", bad.to_vec()).unwrap();
            assert_eq!(kv.increment("bad", 1), not_integer, "value {bad:?}");
            assert_eq!(kv.get("bad").unwrap(), Some(bad.to_vec()), "nothing written");
        }
        kv.set("max", i64::MAX.to_string().into_bytes()).unwrap();
        assert_eq!(kv.increment("max", 1), Err(Failure::Store("ERR increment or decrement would overflow".into())));
        kv.set("zero", b"0".to_vec()).unwrap();
        assert_eq!(kv.increment("zero", -1).unwrap(), -1);
    }

    #[test]
    fn redis_increment_touches_watchers() {
        let (a, b) = two_connections(Backend::Redis, None);
        let (cas, _) = begin(&a, "n");
        b.increment("n", 1).unwrap();
        refreshed(a.swap(cas, b"x".to_vec()).unwrap());
        assert_eq!(a.get("n").unwrap(), Some(b"1".to_vec()));
    }

    // ------------------------------------------------------------------ atomic

    #[test]
    fn atomic_only_one_racing_creator_wins() {
        let (a, b) = two_connections(Backend::Atomic, None);
        let (cas_a, _) = begin(&a, "index");
        let (cas_b, _) = begin(&b, "index");
        assert!(matches!(a.swap(cas_a, b"a".to_vec()).unwrap(), Swapped::Ok));
        let mut retry = refreshed(b.swap(cas_b, b"b".to_vec()).unwrap());
        assert_eq!(a.get("index").unwrap(), Some(b"a".to_vec()));
        assert_eq!(b.cas_current(&mut retry).unwrap(), Some(b"a".to_vec()));
        assert!(matches!(b.swap(retry, b"b".to_vec()).unwrap(), Swapped::Ok));
        assert_eq!(a.get("index").unwrap(), Some(b"b".to_vec()));
    }

    #[test]
    fn atomic_swap_without_current_compares_with_the_value_at_new() {
        let kv = connection(Backend::Atomic);
        let cas = kv.cas_new("k").unwrap();
        kv.set("k", b"theirs".to_vec()).unwrap();
        refreshed(kv.swap(cas, b"mine".to_vec()).unwrap());
        assert_eq!(kv.get("k").unwrap(), Some(b"theirs".to_vec()));
    }

    #[test]
    fn atomic_increment_is_8_byte_little_endian_and_checked() {
        let kv = connection(Backend::Atomic);
        assert_eq!(kv.increment("n", 3).unwrap(), 3);
        assert_eq!(kv.increment("n", 4).unwrap(), 7);
        assert_eq!(kv.get("n").unwrap(), Some(7i64.to_le_bytes().to_vec()));
        kv.set("bad", b"7".to_vec()).unwrap();
        assert!(matches!(kv.increment("bad", 1), Err(Failure::Store(_))));
        kv.set("max", i64::MAX.to_le_bytes().to_vec()).unwrap();
        assert!(matches!(kv.increment("max", 1), Err(Failure::Store(_))));
        assert_eq!(kv.get("max").unwrap(), Some(i64::MAX.to_le_bytes().to_vec()));
    }

    // ------------------------------------------------------------------ size limit, every mode

    #[test]
    fn the_size_limit_refuses_every_write_path_and_writes_nothing() {
        for backend in [Backend::Atomic, Backend::SpinSqlite, Backend::Redis] {
            let (kv, _) = two_connections(backend, Some(4));
            let over = Err(Failure::Store("value of k is 5 bytes, over the backend's limit of 4".to_owned()));
            assert_eq!(kv.set("k", b"12345".to_vec()), over, "{backend:?} set");
            kv.set("k", b"1234".to_vec()).unwrap();
            let (cas, _) = begin(&kv, "k");
            assert_eq!(kv.swap(cas, b"12345".to_vec()).map(|_| ()), over, "{backend:?} swap");
            assert_eq!(kv.get("k").unwrap(), Some(b"1234".to_vec()), "{backend:?}: nothing written");
            // Increment results: 8 bytes (atomic, spin-sqlite) or 5 decimal digits (redis) are over 4.
            let limit = Err(Failure::Store(format!(
                "value of n is {} bytes, over the backend's limit of 4",
                if backend == Backend::Redis { 5 } else { 8 }
            )));
            assert_eq!(kv.increment("n", 10_000), limit, "{backend:?} increment");
            assert_eq!(kv.get("n").unwrap(), None, "{backend:?}: no counter written");
        }
    }
}
