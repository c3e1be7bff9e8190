//! ADL 1.4 operational templates: `POST/GET /definition/template/adl1.4[/{template_id}]`.

use crate::Config;
use crate::answer;
use crate::blob::{get_body, put_body, sha256_hex};
use crate::catalog::{CacheValue, StoredBody};
use crate::error::{ApiError, json_response};
use crate::negotiate::encode_segment;
use crate::negotiate::preferred;
use crate::router::Ctx;
use crate::shards::{self, Decision, Index, Layout, Record};
use crate::store::{CAS_RETRIES, KvStore, StoreError};
use crate::time::now_rfc3339;
use crate::web_template::{self, JSON, WT_JSON};
use crate::write_id;
use http::header::VARY;
use http::{HeaderValue, Response, StatusCode};
use openehr_definitions::{check_template_id, validate_opt};
use serde::{Deserialize, Serialize};

const XML: &str = "application/xml";

fn cache_key(template_id: &str) -> String {
    format!("opt14/id/{template_id}")
}

/// The spec's list item (`TemplateMetadata`); the index's list lines are exactly these.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ListItem {
    pub template_id: String,
    pub concept: String,
    pub archetype_id: String,
    pub created_timestamp: String,
}

/// The ADL 1.4 index: one record per template_id.
struct Opt14;

impl Index for Opt14 {
    type Item = ListItem;
    type Private = StoredBody;
    type Sub = ();
    const ROOT: &'static str = "opt14/index";
    const SHARDS: &'static str = "opt14";

    fn key(item: &ListItem) -> (String, ()) {
        (item.template_id.clone(), ())
    }
}

type Entry = Record<Opt14>;

pub(crate) fn list(ctx: &Ctx) -> Result<Response<Vec<u8>>, ApiError> {
    Ok(json_response(StatusCode::OK, shards::list::<Opt14>(ctx.layout())?))
}

/// What `GET /definition/template/adl1.4/{template_id}` answers with, in our order of preference: the
/// OPT itself, or its web template (as `application/openehr.wt+json` or, the same JSON, `application/json`).
pub(crate) const REPRESENTATIONS: &[&str] = &[XML, "text/xml", WT_JSON, JSON];

pub(crate) fn get(ctx: &Ctx, template_id: &str) -> Result<Response<Vec<u8>>, ApiError> {
    let headers = ctx.request.headers();
    // The router has answered 406 when nothing is acceptable.
    let media = preferred(headers, REPRESENTATIONS).unwrap_or(XML);
    let template = stored(ctx, template_id)?;
    let etag = template.etag().to_owned();
    let mut response = match media {
        WT_JSON | JSON => {
            let content_type = if media == WT_JSON { WT_JSON } else { JSON };
            answer::stored_body(headers, &web_template::etag(&etag), content_type, move || {
                web_template::default_json(ctx.layout(), template_id, &etag, move || template.body())
            })?
        }
        _ => answer::stored_body(headers, &etag, XML, move || template.body())?,
    };
    // The representation depends on Accept: caches must key on it.
    response.headers_mut().append(VARY, HeaderValue::from_static("Accept"));
    Ok(response)
}

/// One stored template, found by its id; its body is read only when asked for.
pub(crate) struct Stored<'a> {
    store: &'a dyn KvStore,
    location: StoredBody,
    inline_body: Option<Vec<u8>>,
}

impl Stored<'_> {
    pub fn etag(&self) -> &str {
        &self.location.etag
    }

    /// The OPT, byte for byte as uploaded.
    pub fn body(self) -> Result<Vec<u8>, StoreError> {
        match self.inline_body {
            Some(body) => Ok(body),
            None => get_body(self.store, &self.location.manifest),
        }
    }
}

/// The stored template `template_id`: 400 when the id is malformed, 404 when there is none.
pub(crate) fn stored<'a>(ctx: &Ctx<'a>, template_id: &str) -> Result<Stored<'a>, ApiError> {
    check_template_id(template_id).map_err(|d| ApiError::invalid("the template_id is malformed", vec![d]))?;
    let (location, inline_body) = find(ctx.layout(), template_id)?
        .ok_or_else(|| ApiError::not_found(format!("no ADL 1.4 template with template_id {template_id:?}")))?;
    Ok(Stored { store: ctx.store, location, inline_body })
}

/// A stored template's body location, and the body itself when its cache value holds a copy.
type Found = (StoredBody, Option<Vec<u8>>);

/// Where the body of `template_id` is, and the body itself when its cache value holds a copy: the cache
/// value (only the body fields are read), else (after a crash between commit and cache write) the index.
fn find(layout: Layout, template_id: &str) -> Result<Option<Found>, StoreError> {
    let raw = layout.store.get_shared(&cache_key(template_id))?.filter(|raw| is_live(raw));
    let Some(raw) = raw else {
        let record = shards::group::<Opt14>(layout, template_id)?.into_iter().next();
        return Ok(record.map(|e| (e.private, None)));
    };
    let corrupt = |what: &str| StoreError::corrupt(format!("the cache value of {template_id:?} is corrupt: {what}"));
    let Some(newline) = memchr::memchr(b'\n', &raw) else {
        let stored = serde_json::from_slice(&raw).map_err(|e| corrupt(&e.to_string()))?;
        return Ok(Some((stored, None)));
    };
    let stored: StoredBody = serde_json::from_slice(&raw[..newline]).map_err(|e| corrupt(&e.to_string()))?;
    let body = &raw[newline + 1..];
    if body.len() as u64 != stored.manifest.size {
        return Err(corrupt("its body copy has the wrong size"));
    }
    Ok(Some((stored, Some(body.to_vec()))))
}

/// The cache value `opt14/id/{template_id}`, a read cache of the index that a GET trusts without reading
/// the index, goes through these states (every change after the first is a compare-and-swap of a PRESENT
/// key, which every backend does atomically; see [`crate::store`], "Cache values"):
///
/// - absent, or a **marker**: `{"pending":"<write id>"}`, set by an upload before its commit, or
///   `{"deleted":"<write id>"}`, swapped in by a delete before its commit over that upload's marker or
///   live value. A reader finding a marker reads
///   the index instead (the index is the truth; the marker only says "do not trust me").
/// - **live**: the record (and a copy of the body), swapped in by the upload that committed it, only
///   from its own `pending` marker. So a live value is written only while its upload's marker is still
///   there: a delete that swapped in its `deleted` marker first can never be overwritten by a late
///   upload, and after a delete's commit no reader is ever answered from the deleted template's value.
fn is_live(raw: &[u8]) -> bool {
    !(raw.starts_with(PENDING) || raw.starts_with(DELETED))
}

const PENDING: &[u8] = br#"{"pending":"#;
const DELETED: &[u8] = br#"{"deleted":"#;

fn marker(kind: &[u8], write: &str) -> Vec<u8> {
    let mut value = kind.to_vec();
    value.push(b'"');
    value.extend_from_slice(write.as_bytes());
    value.extend_from_slice(b"\"}");
    value
}

/// The cache value of a stored template: its record, then (when it fits the value limit) a copy of its
/// body after a newline, so that a GET reads one value instead of two (compact JSON has no raw newline).
/// No copy on a store that serves the body's chunks from memory: there the copy would only make every
/// GET read the body from the backend (22 KB of SQLite overflow pages) instead of a record of 300 bytes.
fn cache_value(layout: Layout, entry: &Entry, body: &[u8]) -> Result<Vec<u8>, StoreError> {
    let mut value = serde_json::to_vec(&CacheValue { item: &entry.item, body: &entry.private })
        .map_err(|e| StoreError::corrupt(format!("cannot encode entry: {e}")))?;
    if !layout.store.caches_immutable_values() && value.len() + 1 + body.len() <= layout.max_value_bytes {
        value.push(b'\n');
        value.extend_from_slice(body);
    }
    Ok(value)
}

pub(crate) fn upload(ctx: &Ctx) -> Result<Response<Vec<u8>>, ApiError> {
    let (template_id, etag) = store_upload(ctx)?;
    let location = ctx.location(&format!("/definition/template/adl1.4/{}", encode_segment(&template_id)));
    let identifier = serde_json::json!({ "template_id": template_id });
    answer::created(ctx.request.headers(), &location, &etag, (ctx.request.body(), XML), &identifier)
}

/// The upload step of both APIs (standard and Ehrscape): validates the request's OPT and stores it, or
/// refuses it (400 with diagnostics, 409 on a taken template_id). Returns its template_id and ETag.
pub(crate) fn store_upload(ctx: &Ctx) -> Result<(String, String), ApiError> {
    let body = ctx.request.body();
    let layout = ctx.layout();
    let entry = prepare(layout, body, &write_id::new()?)?;
    let template_id = entry.item.template_id.clone();
    let etag = entry.private.etag.clone();
    if !commit(layout, entry, body)? {
        return Err(already_exists(&template_id));
    }
    Ok((template_id, etag))
}

/// The list items (`template_id`, `concept`, `archetype_id`, `created_timestamp`), sorted by template_id.
pub(crate) fn list_items(ctx: &Ctx) -> Result<Vec<ListItem>, ApiError> {
    let raw = shards::list::<Opt14>(ctx.layout())?;
    Ok(serde_json::from_slice(&raw).map_err(|e| StoreError::corrupt(format!("the template list is corrupt: {e}")))?)
}

/// Removes the template `template_id` from the index (its chunks stay: they are content-addressed and
/// may be shared). Crash-safe like an upload, with ONE root CAS as its commit point: first its cache
/// value is swapped to a `deleted` marker (so no reader trusts it and no late upload revives it), then
/// the record of exactly that upload is removed from the index. 404 when there is no such template.
pub(crate) fn delete_template(ctx: &Ctx, template_id: &str) -> Result<(), ApiError> {
    check_template_id(template_id).map_err(|d| ApiError::invalid("the template_id is malformed", vec![d]))?;
    let layout = ctx.layout();
    let key = cache_key(template_id);
    let not_found = || ApiError::not_found(format!("no ADL 1.4 template with template_id {template_id:?}"));
    for _ in 0..=CAS_RETRIES {
        let Some(record) = shards::group::<Opt14>(layout, template_id)?.into_iter().next() else {
            return Err(not_found());
        };
        let target = record.private.write.clone();
        mark_deleted(layout, &key, &target)?;
        let deleter = write_id::new()?;
        let outcome = shards::commit::<Opt14, Option<bool>>(
            layout,
            Some(template_id),
            &deleter,
            // After a commit of unknown outcome: the target's record gone means this delete landed.
            |records| {
                (!records.iter().any(|r| r.item.template_id == template_id && r.private.write == target))
                    .then_some(Some(true))
            },
            |records| {
                let at = records.iter().position(|r| r.item.template_id == template_id);
                Ok(match at {
                    None => Decision::Keep(None),
                    // Another upload holds the id now (deleted and uploaded again meanwhile): start over.
                    Some(at) if records[at].private.write != target => Decision::Keep(Some(false)),
                    Some(at) => {
                        records.remove(at);
                        Decision::Write(Some(true))
                    }
                })
            },
        )?;
        match outcome {
            Some(true) => return Ok(()),
            None => return Err(not_found()),
            Some(false) => continue,
        }
    }
    Err(ApiError::contention(Opt14::ROOT))
}

/// Makes sure the cache value says nothing for the upload `write` any more: while it holds that upload's
/// `pending` marker or live value, swaps it (a CAS of a present value) to a `deleted` marker. Anything else
/// (absent, another marker, another upload's live value) already can never become that upload's live
/// value again (an upload swaps its live value in only over its own `pending` marker), so it stays: two
/// deletes never fight over the value.
fn mark_deleted(layout: Layout, key: &str, write: &str) -> Result<(), StoreError> {
    let deleted = marker(DELETED, write);
    let pending = marker(PENDING, write);
    for _ in 0..=CAS_RETRIES {
        let Some(current) = layout.store.get(key)? else { return Ok(()) };
        let holds = current == pending || (is_live(&current) && live_write(&current).is_none_or(|w| w == write));
        if !holds {
            return Ok(());
        }
        // A reported failure may have written (Redis): the re-read above decides.
        let _ = layout.store.compare_and_swap(key, Some(&current), &deleted);
    }
    Err(StoreError::unavailable(format!("{key} kept changing while a delete marked it")))
}

/// The write id of a live cache value (`None` when unreadable: such a value is not trusted either).
fn live_write(raw: &[u8]) -> Option<String> {
    let line = memchr::memchr(b'\n', raw).map_or(raw, |newline| &raw[..newline]);
    serde_json::from_slice::<StoredBody>(line).ok().map(|stored| stored.write)
}

pub(crate) fn delete(ctx: &Ctx, template_id: &str) -> Result<Response<Vec<u8>>, ApiError> {
    delete_template(ctx, template_id)?;
    let mut response = Response::new(Vec::new());
    *response.status_mut() = StatusCode::NO_CONTENT;
    Ok(response)
}

/// Validates one OPT and writes its chunks (nothing visible yet). 400 on an invalid template,
/// 409 early when the id is already taken (saves writing chunks that would stay orphans).
fn prepare(layout: Layout, body: &[u8], write: &str) -> Result<Entry, Refusal> {
    let report = validate_opt(body);
    if !report.is_valid() {
        return Err(Refusal::Invalid("the operational template is not valid", report.diagnostics));
    }
    let metadata = report.metadata;
    let Some(template_id) = metadata.template_id else {
        return Err(Refusal::Invalid("the operational template has no template_id", report.diagnostics));
    };
    check_template_id(&template_id).map_err(|d| Refusal::Invalid("the template_id is malformed", vec![d]))?;
    if layout.store.get(&cache_key(&template_id))?.is_some_and(|raw| is_live(&raw)) {
        return Err(Refusal::Exists(template_id));
    }
    let manifest = put_body(layout.store, body, layout.max_value_bytes)?;
    // Before the commit: the only value over which this upload may later write its live cache value.
    layout.store.set(&cache_key(&template_id), &marker(PENDING, write))?;
    Ok(Entry {
        item: ListItem {
            template_id,
            concept: metadata.concept.unwrap_or_default(),
            archetype_id: metadata.archetype_id.unwrap_or_default(),
            created_timestamp: now_rfc3339(),
        },
        private: StoredBody { etag: format!("\"{}\"", sha256_hex(body)), manifest, write: write.to_owned() },
    })
}

/// Why an OPT was not stored: the outcomes an upload step can have besides success, mapped to HTTP
/// in one place (`From<Refusal> for ApiError`) and counted by [`bulk_upload_opt14`] without HTTP.
enum Refusal {
    /// The template does not validate (400 with the core's diagnostics).
    Invalid(&'static str, Vec<openehr_definitions::Diagnostic>),
    /// Its template_id is taken (409).
    Exists(String),
    /// The store failed (503 or 500).
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(error: StoreError) -> Self {
        Refusal::Store(error)
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Invalid(message, diagnostics) => ApiError::invalid(message, diagnostics),
            Refusal::Exists(id) => already_exists(&id),
            Refusal::Store(error) => error.into(),
        }
    }
}

fn already_exists(template_id: &str) -> ApiError {
    ApiError::conflict(format!("an ADL 1.4 template with template_id {template_id:?} already exists"))
}

/// Adds `entry` unless its template_id is taken, with ONE root CAS (the commit point), then writes the
/// cache value. True when this upload stored it; false when another template holds the id.
fn commit(layout: Layout, entry: Entry, body: &[u8]) -> Result<bool, ApiError> {
    Ok(commit_all(layout, Some(&entry.item.template_id.clone()), vec![(entry, body)])? == 1)
}

/// Adds every entry whose template_id is free (all carry one write id) with ONE root CAS, then writes
/// their cache values. Returns how many were added. `group`: the one id of a single upload.
fn commit_all(layout: Layout, group: Option<&str>, uploads: Vec<(Entry, &[u8])>) -> Result<usize, ApiError> {
    let Some(write) = uploads.first().map(|(e, _)| e.private.write.clone()) else { return Ok(0) };
    let entries: Vec<&Entry> = uploads.iter().map(|(entry, _)| entry).collect();
    let added = shards::commit::<Opt14, Vec<Entry>>(
        layout,
        group,
        &write,
        |records| {
            let mine: Vec<Entry> = records.iter().filter(|r| r.private.write == write).cloned().collect();
            (!mine.is_empty()).then_some(mine)
        },
        |records| {
            let mut added = Vec::new();
            for entry in &entries {
                let id = entry.item.template_id.as_str();
                if let Err(at) = records.binary_search_by(|e| e.item.template_id.as_str().cmp(id)) {
                    records.insert(at, (*entry).clone());
                    added.push((*entry).clone());
                }
            }
            Ok(if added.is_empty() { Decision::Keep(added) } else { Decision::Write(added) })
        },
    )?;
    let pending = marker(PENDING, &write);
    for entry in &added {
        let id = &entry.item.template_id;
        let body = uploads.iter().find(|(upload, _)| upload.item.template_id == *id).map_or(&[][..], |(_, b)| b);
        // Only over this upload's own marker: anything else there (a delete's marker, another upload's)
        // stays, and readers use the index. A failure here loses only the cache, never the upload.
        let _ = layout.store.compare_and_swap(&cache_key(id), Some(&pending), &cache_value(layout, entry, body)?);
    }
    Ok(added.len())
}

/// What [`bulk_upload_opt14`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BulkOutcome {
    pub created: usize,
    /// Template ids that already existed (or appeared twice in the input).
    pub conflicts: usize,
    /// Inputs that did not validate.
    pub invalid: usize,
}

/// Imports many OPTs with a single commit: seeding a store (load tests, migrations) without a request
/// per template. Same validation and layout as `POST`.
pub fn bulk_upload_opt14(store: &dyn KvStore, bodies: &[Vec<u8>]) -> Result<BulkOutcome, StoreError> {
    let layout = Layout::new(store, &Config::default());
    let write = write_id::new()?;
    let mut outcome = BulkOutcome::default();
    let mut entries = Vec::with_capacity(bodies.len());
    for body in bodies {
        match prepare(layout, body, &write) {
            Ok(entry) => entries.push((entry, body.as_slice())),
            Err(Refusal::Exists(_)) => outcome.conflicts += 1,
            Err(Refusal::Invalid(..)) => outcome.invalid += 1,
            Err(Refusal::Store(error)) => return Err(error),
        }
    }
    let offered = entries.len();
    outcome.created =
        commit_all(layout, None, entries).map_err(|e| StoreError::unavailable(e.cause.unwrap_or(e.message)))?;
    outcome.conflicts += offered - outcome.created;
    Ok(outcome)
}
