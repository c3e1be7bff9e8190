//! ADL 1.4 operational templates: `POST/GET /definition/template/adl1.4[/{template_id}]`.

use crate::Config;
use crate::answer;
use crate::blob::{get_body, put_body, sha256_hex};
use crate::catalog::{CacheValue, StoredBody};
use crate::error::{ApiError, json_response};
use crate::negotiate::encode_segment;
use crate::router::Ctx;
use crate::shards::{self, Decision, Index, Layout, Record};
use crate::store::{KvStore, StoreError};
use crate::time::now_rfc3339;
use crate::write_id;
use http::{Response, StatusCode};
use openehr_definitions::{check_template_id, validate_opt};
use serde::{Deserialize, Serialize};

const XML: &str = "application/xml";

fn cache_key(template_id: &str) -> String {
    format!("opt14/id/{template_id}")
}

/// The spec's list item (`TemplateMetadata`); the index's list lines are exactly these.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ListItem {
    template_id: String,
    concept: String,
    archetype_id: String,
    created_timestamp: String,
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

pub(crate) fn get(ctx: &Ctx, template_id: &str) -> Result<Response<Vec<u8>>, ApiError> {
    check_template_id(template_id).map_err(|d| ApiError::invalid("the template_id is malformed", vec![d]))?;
    let headers = ctx.request.headers();
    let (stored, inline_body) = find(ctx.layout(), template_id)?
        .ok_or_else(|| ApiError::not_found(format!("no ADL 1.4 template with template_id {template_id:?}")))?;
    answer::stored_body(headers, &stored.etag, XML, || match inline_body {
        Some(body) => Ok(body),
        None => get_body(ctx.store, &stored.manifest),
    })
}

/// A stored template's body location, and the body itself when its cache value holds a copy.
type Found = (StoredBody, Option<Vec<u8>>);

/// Where the body of `template_id` is, and the body itself when its cache value holds a copy: the cache
/// value (only the body fields are read), else (after a crash between commit and cache write) the index.
fn find(layout: Layout, template_id: &str) -> Result<Option<Found>, StoreError> {
    let Some(raw) = layout.store.get_shared(&cache_key(template_id))? else {
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

/// The cache value of a stored template: its record, then (when it fits the value limit) a copy of its
/// body after a newline, so that a GET reads one value instead of two (compact JSON has no raw newline).
fn cache_value(layout: Layout, entry: &Entry, body: &[u8]) -> Result<Vec<u8>, StoreError> {
    let mut value = serde_json::to_vec(&CacheValue { item: &entry.item, body: &entry.private })
        .map_err(|e| StoreError::corrupt(format!("cannot encode entry: {e}")))?;
    if value.len() + 1 + body.len() <= layout.max_value_bytes {
        value.push(b'\n');
        value.extend_from_slice(body);
    }
    Ok(value)
}

pub(crate) fn upload(ctx: &Ctx) -> Result<Response<Vec<u8>>, ApiError> {
    let headers = ctx.request.headers();
    let body = ctx.request.body();
    let layout = ctx.layout();
    let entry = prepare(layout, body, &write_id::new()?)?;
    let template_id = entry.item.template_id.clone();
    let etag = entry.private.etag.clone();
    if !commit(layout, entry, body)? {
        return Err(already_exists(&template_id));
    }

    let location = ctx.location(&format!("/definition/template/adl1.4/{}", encode_segment(&template_id)));
    answer::created(headers, &location, &etag, (body, XML), &serde_json::json!({ "template_id": template_id }))
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
    if layout.store.get(&cache_key(&template_id))?.is_some() {
        return Err(Refusal::Exists(template_id));
    }
    let manifest = put_body(layout.store, body, layout.max_value_bytes)?;
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
    for entry in &added {
        let id = &entry.item.template_id;
        let body = uploads.iter().find(|(upload, _)| upload.item.template_id == *id).map_or(&[][..], |(_, b)| b);
        layout.store.set(&cache_key(id), &cache_value(layout, entry, body)?)?;
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
