//! Sorted indexes split into shards under the value limit, committed with ONE compare-and-swap of a
//! small root (the layout and its guarantees are described in [`crate::store`]).
//!
//! A shard is two lines of compact JSON (which never holds a raw newline): the records' list items,
//! then their private parts, in the same order. While every record fits one value, the root IS that
//! shard (inline: one read lists, one CAS commits, as in the older one-value layout, which is read the
//! same way). Beyond, the root is `{"shards":[{"key","first","n"}…]}`: shard keys in record order, each
//! with its first record's sort key, and a read fetches the root and the shards it needs.

use crate::error::ApiError;
use crate::first_use;
use crate::store::{CAS_RETRIES, KvStore, StoreError};
use bytes::Bytes;
use http::StatusCode;
use openehr_definitions::version::Version;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::time::Duration;

/// The store and the limits every layout operation works within.
#[derive(Clone, Copy)]
pub(crate) struct Layout<'a> {
    pub store: &'a dyn KvStore,
    /// No value written is larger than this.
    pub max_value_bytes: usize,
    /// How long first use waits for another request's claim to create a root.
    pub first_use_wait: Duration,
}

impl<'a> Layout<'a> {
    /// The store with the limits `config` sets.
    pub fn new(store: &'a dyn KvStore, config: &crate::Config) -> Self {
        Layout { store, max_value_bytes: config.max_value_bytes, first_use_wait: config.first_use_wait }
    }
}

/// One kind of index: what its records are and how they sort.
pub(crate) trait Index {
    /// The public part: exactly what the list answer shows.
    type Item: Serialize + DeserializeOwned + Clone;
    /// Where the body is, the ETag, and the write id: never shown.
    type Private: Serialize + DeserializeOwned + Clone + Default;
    /// What sorts within a group (the version), `()` when a group holds one record.
    type Sub: Ord + Clone + Serialize + DeserializeOwned;
    /// The root key, `{kind}/index`.
    const ROOT: &'static str;
    /// Prefix of this kind's shard keys.
    const SHARDS: &'static str;
    /// The group (template id, query name) and the order within it.
    fn key(item: &Self::Item) -> (String, Self::Sub);
    /// The root written on first use: empty, or what an older layout left elsewhere in the store.
    fn initial_records(_store: &dyn KvStore) -> Result<Vec<Record<Self>>, StoreError> {
        Ok(Vec::new())
    }
}

/// The sort key of a versioned record (ADL 2 templates, stored queries): its group, then SEMVER order.
/// Every stored version was parsed when it was written; 0.0.0 only orders a hand-edited store.
pub(crate) fn versioned_key(group: &str, version: &str) -> (String, Version) {
    (group.to_owned(), Version::parse(version).unwrap_or(Version::new(0, 0, 0)))
}

/// One record of an index.
pub(crate) struct Record<K: Index + ?Sized> {
    pub item: K::Item,
    pub private: K::Private,
}

impl<K: Index + ?Sized> Clone for Record<K> {
    fn clone(&self) -> Self {
        Record { item: self.item.clone(), private: self.private.clone() }
    }
}

/// What a write's decision closure chose after looking at the records of its group.
pub(crate) enum Decision<R> {
    /// Commit the changed records and return `R` once committed.
    Write(R),
    /// Change nothing and return `R` now.
    Keep(R),
}

#[derive(Debug, Serialize, Deserialize)]
struct Root<S> {
    shards: Vec<ShardRef<S>>,
}

#[derive(Debug, Serialize, Deserialize, Clone)]
struct ShardRef<S> {
    key: String,
    first: (String, S),
    /// Records in the shard (for operators reading the store; never trusted).
    n: usize,
}

/// A root as read: the records themselves (one shard's value, while they fit one value), or the keys of
/// the shards that hold them.
enum RootValue<S> {
    Sharded(Vec<ShardRef<S>>),
    Inline,
}

/// An index without records: an inline root.
const EMPTY_ROOT: &[u8] = b"[]\n[]";

/// How often a reader re-reads the root when a shard it names has just been replaced and deleted.
const READ_RETRIES: usize = 8;

fn corrupt(key: &str, what: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt(format!("value of {key} is corrupt: {what}"))
}

fn decode_root<K: Index>(raw: &[u8]) -> Result<RootValue<K::Sub>, StoreError> {
    if raw.first() == Some(&b'[') {
        return Ok(RootValue::Inline);
    }
    let root: Root<K::Sub> = serde_json::from_slice(raw).map_err(|e| corrupt(K::ROOT, e))?;
    Ok(RootValue::Sharded(root.shards))
}

/// The records of one shard value (also of an older one-value index, in either of its layouts).
fn decode_shard<K: Index>(key: &str, raw: &[u8]) -> Result<Vec<Record<K>>, StoreError> {
    let Some(newline) = memchr::memchr(b'\n', raw) else {
        // The oldest layout: one array of flat entries.
        #[derive(Deserialize)]
        #[serde(bound(deserialize = "K::Item: DeserializeOwned, K::Private: DeserializeOwned"))]
        struct Flat<K: Index> {
            #[serde(flatten)]
            item: K::Item,
            #[serde(flatten)]
            private: K::Private,
        }
        let flat: Vec<Flat<K>> = serde_json::from_slice(raw).map_err(|e| corrupt(key, e))?;
        return Ok(flat.into_iter().map(|f| Record { item: f.item, private: f.private }).collect());
    };
    let items: Vec<K::Item> = serde_json::from_slice(&raw[..newline]).map_err(|e| corrupt(key, e))?;
    let privates: Vec<K::Private> = serde_json::from_slice(&raw[newline + 1..]).map_err(|e| corrupt(key, e))?;
    if items.len() != privates.len() {
        return Err(corrupt(key, format_args!("{} items but {} private parts", items.len(), privates.len())));
    }
    Ok(items.into_iter().zip(privates).map(|(item, private)| Record { item, private }).collect())
}

/// The list line of a shard value, in place: `[item,…]`, not parsed.
fn list_line<'v>(key: &str, raw: &'v [u8]) -> Result<&'v [u8], StoreError> {
    let line = memchr::memchr(b'\n', raw).map_or(raw, |newline| &raw[..newline]);
    if !(line.starts_with(b"[") && line.ends_with(b"]")) {
        return Err(corrupt(key, "its first line is not a JSON array"));
    }
    Ok(line)
}

/// Reads the value of a shard the root names. `None`: it is gone (replaced meanwhile), re-read the root.
/// Shards never change, so a host may hand out its cached copy.
fn read_shard(store: &dyn KvStore, key: &str) -> Result<Option<Bytes>, StoreError> {
    store.get_shared(key)
}

/// The list answer of a kind: every record's item, in order. Reads the root and each shard once.
pub(crate) fn list<K: Index>(layout: Layout) -> Result<Vec<u8>, StoreError> {
    let mut previous: Option<Vec<u8>> = None;
    'attempt: for _ in 0..READ_RETRIES {
        let Some(raw_root) = layout.store.get(K::ROOT)? else {
            // No index yet: what an older layout holds (nothing for a new store), until the first write.
            let records = K::initial_records(layout.store)?;
            let items: Vec<&K::Item> = records.iter().map(|r| &r.item).collect();
            return serde_json::to_vec(&items).map_err(|e| StoreError::corrupt(format!("cannot encode a list: {e}")));
        };
        missing_shard_is_corrupt::<K>(&mut previous, &raw_root)?;
        let refs = match decode_root::<K>(&raw_root)? {
            RootValue::Inline if memchr::memchr(b'\n', &raw_root).is_some() => {
                return Ok(list_line(K::ROOT, &raw_root)?.to_vec());
            }
            RootValue::Inline => {
                let records = decode_shard::<K>(K::ROOT, &raw_root)?;
                let items: Vec<&K::Item> = records.iter().map(|r| &r.item).collect();
                return serde_json::to_vec(&items)
                    .map_err(|e| StoreError::corrupt(format!("cannot encode a list: {e}")));
            }
            RootValue::Sharded(refs) => refs,
        };
        let mut answer = vec![b'['];
        for shard in &refs {
            let Some(raw) = read_shard(layout.store, &shard.key)? else { continue 'attempt };
            let line = list_line(&shard.key, &raw)?;
            let inner = &line[1..line.len() - 1];
            if inner.is_empty() {
                continue;
            }
            if answer.len() > 1 {
                answer.push(b',');
            }
            answer.extend_from_slice(inner);
        }
        answer.push(b']');
        return Ok(answer);
    }
    Err(StoreError::unavailable(format!("{} kept changing while it was read", K::ROOT)))
}

/// Every record of the index, in order (the query list filters these).
pub(crate) fn all<K: Index>(layout: Layout) -> Result<Vec<Record<K>>, StoreError> {
    read_records::<K>(layout, None)
}

/// The records of one group, in order (one template's versions, one query's versions).
pub(crate) fn group<K: Index>(layout: Layout, group: &str) -> Result<Vec<Record<K>>, StoreError> {
    let mut records = read_records::<K>(layout, Some(group))?;
    records.retain(|r| K::key(&r.item).0 == group);
    Ok(records)
}

fn read_records<K: Index>(layout: Layout, group: Option<&str>) -> Result<Vec<Record<K>>, StoreError> {
    let mut previous: Option<Vec<u8>> = None;
    'attempt: for _ in 0..READ_RETRIES {
        let Some(raw_root) = layout.store.get(K::ROOT)? else {
            // No index yet: what an older layout holds (nothing for a new store), until the first write.
            let mut records = K::initial_records(layout.store)?;
            if let Some(group) = group {
                records.retain(|r| K::key(&r.item).0 == group);
            }
            return Ok(records);
        };
        missing_shard_is_corrupt::<K>(&mut previous, &raw_root)?;
        let refs = match decode_root::<K>(&raw_root)? {
            RootValue::Inline => return decode_shard::<K>(K::ROOT, &raw_root),
            RootValue::Sharded(refs) => refs,
        };
        let range = match group {
            Some(group) => run_of(&refs, group),
            None => 0..refs.len(),
        };
        let mut records = Vec::new();
        for shard in &refs[range] {
            let Some(raw) = read_shard(layout.store, &shard.key)? else { continue 'attempt };
            records.extend(decode_shard::<K>(&shard.key, &raw)?);
        }
        return Ok(records);
    }
    Err(StoreError::unavailable(format!("{} kept changing while it was read", K::ROOT)))
}

/// A reader found a shard missing and re-read the root: if the root is unchanged, no commit replaced
/// the shard, so the store has lost it.
fn missing_shard_is_corrupt<K: Index>(previous: &mut Option<Vec<u8>>, raw_root: &[u8]) -> Result<(), StoreError> {
    if previous.as_deref() == Some(raw_root) {
        return Err(corrupt(K::ROOT, "it names a shard that is missing"));
    }
    *previous = Some(raw_root.to_vec());
    Ok(())
}

/// The shards that hold `group`'s records, or where its first record would go: from the last shard
/// starting before the group to the last shard starting at or before it.
fn run_of<S>(refs: &[ShardRef<S>], group: &str) -> std::ops::Range<usize> {
    if refs.is_empty() {
        return 0..0;
    }
    let before = refs.partition_point(|r| r.first.0.as_str() < group);
    let at_or_before = refs.partition_point(|r| r.first.0.as_str() <= group);
    before.saturating_sub(1)..at_or_before.max(1)
}

/// The outcome of one attempt whose commit reported failure: it may have been written all the same.
struct Unknown {
    cause: Option<StoreError>,
}

/// Changes records with one CAS of the root, retrying from a fresh read when another write won the
/// race. `decide` sees the records of `group` (with their shard neighbours; every record when `group`
/// is `None`), in order, and may insert records carrying `write_id` where they sort. After an attempt
/// whose commit reported failure, the next read first asks `landed` whether that attempt's records are
/// there after all (then it was committed, and `landed` gives the answer).
pub(crate) fn commit<K: Index, R>(
    layout: Layout,
    group: Option<&str>,
    write_id: &str,
    mut landed: impl FnMut(&[Record<K>]) -> Option<R>,
    mut decide: impl FnMut(&mut Vec<Record<K>>) -> Result<Decision<R>, ApiError>,
) -> Result<R, ApiError> {
    let mut unknown: Option<Unknown> = None;
    // Keys that may be garbage once the outcome is known: shards this write wrote, and the shards its
    // attempts replaced. Whatever the final root does not name is deleted.
    let mut garbage: Vec<String> = Vec::new();
    for attempt in 0..=CAS_RETRIES {
        let raw_root = match first_use::root::<K>(layout) {
            Ok(raw) => raw,
            Err(error) => return Err(unknown.map_or(error, |u| outcome_unknown(u.cause))),
        };
        let refs = match decode_root::<K>(&raw_root)? {
            RootValue::Inline => None,
            RootValue::Sharded(refs) => Some(refs),
        };
        let (range, mut records) = match &refs {
            None => (0..0, decode_shard::<K>(K::ROOT, &raw_root)?),
            Some(refs) => {
                let range = group.map_or(0..refs.len(), |group| run_of(refs, group));
                match load_run::<K>(layout.store, &refs[range.clone()])? {
                    Some(records) => (range, records),
                    None => continue, // a shard was replaced meanwhile: the root has changed
                }
            }
        };
        if unknown.is_some()
            && let Some(answer) = landed(&records)
        {
            collect_garbage(layout.store, refs.as_deref().unwrap_or(&[]), &garbage);
            return Ok(answer);
        }
        if attempt == CAS_RETRIES {
            break;
        }
        let result = match decide(&mut records) {
            Ok(Decision::Write(result)) => result,
            Ok(Decision::Keep(result)) => {
                collect_garbage(layout.store, refs.as_deref().unwrap_or(&[]), &garbage);
                return Ok(result);
            }
            Err(refusal) => {
                collect_garbage(layout.store, refs.as_deref().unwrap_or(&[]), &garbage);
                return Err(refusal);
            }
        };
        let new_root = new_root::<K>(layout, write_id, attempt, &records, refs.as_deref(), range, &mut garbage)?;
        match layout.store.compare_and_swap(K::ROOT, Some(&raw_root), &new_root) {
            Ok(true) => {
                let live = decode_refs::<K>(&new_root);
                collect_garbage(layout.store, &live, &garbage);
                return Ok(result);
            }
            Ok(false) => unknown = Some(Unknown { cause: None }),
            Err(error) => unknown = Some(Unknown { cause: Some(error) }),
        }
        back_off(write_id, attempt);
    }
    Err(ApiError::contention(K::ROOT))
}

/// After a lost race, from the third attempt on, waits a while that grows with the attempt and
/// differs between writers (it is drawn from the write id), so a writer that is slower than the
/// others (a busy host, larger shards to write) still gets its turn instead of losing every race
/// in lockstep. At most 32 ms per attempt.
fn back_off(write_id: &str, attempt: usize) {
    if attempt < 2 {
        return;
    }
    let seed = write_id.bytes().fold(attempt as u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let ceiling = 1u64 << attempt.min(5);
    std::thread::sleep(std::time::Duration::from_millis(seed % ceiling + 1));
}

/// The answer when a commit failed and the store could not be read to learn whether it was written.
fn outcome_unknown(cause: Option<StoreError>) -> ApiError {
    let detail = cause.map_or_else(|| "the commit reported failure".to_owned(), |e| e.to_string());
    ApiError::unavailable(
        "the storage backend failed during the write, which may or may not have been stored: read it before retrying",
    )
    .with_cause(format!("commit outcome unknown: {detail}; the re-read failed too"))
}

/// The records of consecutive shards. `None` when one of them is gone (replaced by a newer commit).
fn load_run<K: Index>(store: &dyn KvStore, refs: &[ShardRef<K::Sub>]) -> Result<Option<Vec<Record<K>>>, StoreError> {
    let mut records = Vec::new();
    for shard in refs {
        let Some(raw) = read_shard(store, &shard.key)? else { return Ok(None) };
        records.extend(decode_shard::<K>(&shard.key, &raw)?);
    }
    Ok(Some(records))
}

fn decode_refs<K: Index>(raw_root: &[u8]) -> Vec<ShardRef<K::Sub>> {
    match decode_root::<K>(raw_root) {
        Ok(RootValue::Sharded(refs)) => refs,
        _ => Vec::new(),
    }
}

/// Deletes the keys in `candidates` that `live` does not name: nothing can name them again (shard keys
/// are never reused), so only readers of an older root may still look for them, and they re-read.
fn collect_garbage<S>(store: &dyn KvStore, live: &[ShardRef<S>], candidates: &[String]) {
    let live: HashSet<&str> = live.iter().map(|r| r.key.as_str()).collect();
    for key in candidates {
        if !live.contains(key.as_str()) {
            // A failed delete leaves an unreferenced value behind, nothing worse.
            let _ = store.delete(key);
        }
    }
}

/// One shard's value, before it is written.
struct Packed<S> {
    first: (String, S),
    n: usize,
    value: Vec<u8>,
}

/// Splits `records` (in order) into shard values under the value limit.
fn pack<K: Index>(layout: Layout, records: &[Record<K>]) -> Result<Vec<Packed<K::Sub>>, ApiError> {
    let encode = |e: serde_json::Error| StoreError::corrupt(format!("cannot encode a record: {e}"));
    let mut packed = Vec::new();
    let mut items: Vec<u8> = Vec::new();
    let mut privates: Vec<u8> = Vec::new();
    let mut first: Option<(String, K::Sub)> = None;
    let mut n = 0;
    let mut flush =
        |items: &mut Vec<u8>, privates: &mut Vec<u8>, first: &mut Option<(String, K::Sub)>, n: &mut usize| {
            let Some(first) = first.take() else { return };
            let mut value = Vec::with_capacity(items.len() + privates.len() + 5);
            value.push(b'[');
            value.append(items);
            value.extend_from_slice(b"]\n[");
            value.append(privates);
            value.push(b']');
            packed.push(Packed { first, n: std::mem::take(n), value });
        };
    for record in records {
        let item = serde_json::to_vec(&record.item).map_err(encode)?;
        let private = serde_json::to_vec(&record.private).map_err(encode)?;
        let alone = item.len() + private.len() + 5;
        if alone > layout.max_value_bytes {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the index record for {:?} takes {alone} bytes, over the store's value limit of {} bytes",
                    K::key(&record.item).0,
                    layout.max_value_bytes
                ),
            ));
        }
        if first.is_some() && items.len() + privates.len() + alone + 2 > layout.max_value_bytes {
            flush(&mut items, &mut privates, &mut first, &mut n);
        }
        if first.is_none() {
            first = Some(K::key(&record.item));
        } else {
            items.push(b',');
            privates.push(b',');
        }
        items.extend_from_slice(&item);
        privates.extend_from_slice(&private);
        n += 1;
    }
    flush(&mut items, &mut privates, &mut first, &mut n);
    Ok(packed)
}

/// Writes packed shards under fresh keys (unique to this write and attempt) and returns their refs.
fn store_shards<K: Index>(
    layout: Layout,
    write_id: &str,
    attempt: usize,
    packed: Vec<Packed<K::Sub>>,
) -> Result<Vec<ShardRef<K::Sub>>, StoreError> {
    let mut refs = Vec::with_capacity(packed.len());
    for (index, shard) in packed.into_iter().enumerate() {
        let key = format!("{}/shard/{write_id}.{attempt}.{index}", K::SHARDS);
        layout.store.set(&key, &shard.value)?;
        refs.push(ShardRef { key, first: shard.first, n: shard.n });
    }
    Ok(refs)
}

/// The root value for `records` replacing the shards `replaced` of `refs` (all of them when the root is
/// inline): inline when an inline root still fits one value, else new shards under a sharded root. Keys
/// written, and keys no longer named, go to `garbage`.
#[allow(clippy::too_many_arguments)]
fn new_root<K: Index>(
    layout: Layout,
    write_id: &str,
    attempt: usize,
    records: &[Record<K>],
    refs: Option<&[ShardRef<K::Sub>]>,
    replaced: std::ops::Range<usize>,
    garbage: &mut Vec<String>,
) -> Result<Vec<u8>, ApiError> {
    let mut packed = pack::<K>(layout, records)?;
    let Some(refs) = refs else {
        if packed.len() <= 1 {
            return Ok(packed.pop().map_or_else(|| EMPTY_ROOT.to_vec(), |shard| shard.value));
        }
        let written = store_shards::<K>(layout, write_id, attempt, packed)?;
        garbage.extend(written.iter().map(|r| r.key.clone()));
        return encode_root::<K>(layout, written);
    };
    let written = store_shards::<K>(layout, write_id, attempt, packed)?;
    garbage.extend(written.iter().map(|r| r.key.clone()));
    garbage.extend(refs[replaced.clone()].iter().map(|r| r.key.clone()));
    let mut new_refs = refs[..replaced.start].to_vec();
    new_refs.extend(written);
    new_refs.extend_from_slice(&refs[replaced.end..]);
    encode_root::<K>(layout, new_refs)
}

fn encode_root<K: Index>(layout: Layout, shards: Vec<ShardRef<K::Sub>>) -> Result<Vec<u8>, ApiError> {
    let root = serde_json::to_vec(&Root { shards })
        .map_err(|e| StoreError::corrupt(format!("cannot encode the root of {}: {e}", K::ROOT)))?;
    if root.len() > layout.max_value_bytes {
        return Err(ApiError::new(
            StatusCode::INSUFFICIENT_STORAGE,
            format!(
                "the index {} is full: its root would take {} bytes, over the store's value limit of {} bytes",
                K::ROOT,
                root.len(),
                layout.max_value_bytes
            ),
        ));
    }
    Ok(root)
}

/// The first root of a kind: its initial records (none, or a migration), inline or sharded.
pub(crate) fn initial_root<K: Index>(layout: Layout, write_id: &str) -> Result<Vec<u8>, ApiError> {
    let records = K::initial_records(layout.store)?;
    new_root::<K>(layout, write_id, 0, &records, None, 0..0, &mut Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Item {
        id: String,
    }

    struct Test;

    impl Index for Test {
        type Item = Item;
        type Private = String;
        type Sub = ();
        const ROOT: &'static str = "test/index";
        const SHARDS: &'static str = "test";

        fn key(item: &Item) -> (String, ()) {
            (item.id.clone(), ())
        }
    }

    fn refs(firsts: &[&str]) -> Vec<ShardRef<()>> {
        firsts.iter().map(|f| ShardRef { key: format!("k/{f}"), first: ((*f).to_owned(), ()), n: 1 }).collect()
    }

    #[test]
    fn a_groups_run_spans_the_shard_before_it_to_the_last_one_starting_at_it() {
        let three = refs(&["b", "d", "f"]);
        assert_eq!(run_of(&three, "a"), 0..1, "before every shard: the first");
        assert_eq!(run_of(&three, "c"), 0..1);
        assert_eq!(run_of(&three, "d"), 0..2, "a group may end the shard before its first");
        assert_eq!(run_of(&three, "e"), 1..2);
        assert_eq!(run_of(&three, "z"), 2..3);
        assert_eq!(run_of(&refs(&["b", "d", "d", "f"]), "d"), 0..3);
        assert_eq!(run_of::<()>(&[], "a"), 0..0);
    }

    fn layout(store: &MemoryStore, max_value_bytes: usize) -> Layout<'_> {
        Layout { store, max_value_bytes, first_use_wait: Duration::ZERO }
    }

    fn record(id: &str) -> Record<Test> {
        Record { item: Item { id: id.to_owned() }, private: format!("p-{id}") }
    }

    #[test]
    fn records_are_packed_in_order_into_shards_under_the_limit() {
        let store = MemoryStore::new();
        let records: Vec<Record<Test>> = (0..100).map(|i| record(&format!("{i:03}"))).collect();
        let packed = pack::<Test>(layout(&store, 200), &records).unwrap();
        let written = store_shards::<Test>(layout(&store, 200), "w", 0, packed).unwrap();
        assert!(written.len() > 5, "{} shards", written.len());
        let mut back = Vec::new();
        for shard in &written {
            let raw = store.get(&shard.key).unwrap().unwrap();
            assert!(raw.len() <= 200, "{} is {} bytes", shard.key, raw.len());
            let records = decode_shard::<Test>(&shard.key, &raw).unwrap();
            assert_eq!(records.len(), shard.n);
            assert_eq!(Test::key(&records[0].item), shard.first);
            back.extend(records.into_iter().map(|r| r.item.id));
        }
        assert_eq!(back, (0..100).map(|i| format!("{i:03}")).collect::<Vec<_>>());
        assert_eq!(written[1].key, "test/shard/w.0.1");
    }

    #[test]
    fn commits_split_full_shards_delete_replaced_ones_and_list_in_order() {
        let store = MemoryStore::new();
        let layout = layout(&store, 400);
        let long = |letter: &str| format!("{letter}{}", "-".repeat(40));
        for letter in ["m", "c", "x", "a", "q", "e", "z", "b"] {
            let id = long(letter);
            let added = commit::<Test, ()>(
                layout,
                Some(&id),
                &format!("w{letter}"),
                |_| None,
                |records| {
                    let at = records.partition_point(|r| r.item.id < id);
                    records.insert(at, record(&id));
                    Ok(Decision::Write(()))
                },
            );
            assert!(added.is_ok(), "{letter}: {:?}", added.err().map(|e| e.message));
        }
        let expected: Vec<Item> = ["a", "b", "c", "e", "m", "q", "x", "z"].map(|l| Item { id: long(l) }).into();
        assert_eq!(list::<Test>(layout).unwrap(), serde_json::to_vec(&expected).unwrap());
        let root: Root<()> = serde_json::from_slice(&store.get("test/index").unwrap().unwrap()).unwrap();
        assert!(root.shards.len() > 1, "{root:?}");
        // The root, the claim counter and the live shards: every replaced shard was deleted.
        assert_eq!(store.len(), 2 + root.shards.len());
        let q = group::<Test>(layout, &long("q")).unwrap();
        assert_eq!(q.iter().map(|r| r.item.id.clone()).collect::<Vec<_>>(), [long("q")]);
    }

    #[test]
    fn a_record_over_the_limit_by_itself_is_refused() {
        let store = MemoryStore::new();
        let error = pack::<Test>(layout(&store, 20), &[record("a-rather-long-id")]).err().expect("refused");
        assert_eq!(error.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(store.is_empty());
    }
}
