//! Stored queries: `PUT/GET /definition/query/{qualified_query_name}[/{version}]`.

use crate::error::{ApiError, json, json_response};
use crate::negotiate::{content_type, encode_segment, query_param};
use crate::router::Ctx;
use crate::shards::{self, Decision, Index, Record};
use crate::store::{KvStore, StoreError};
use crate::time::now_rfc3339;
use crate::write_id;
use http::header::LOCATION;
use http::{HeaderValue, Response, StatusCode};
use openehr_definitions::version::Version;
use openehr_definitions::{Code, QueryName, VersionPattern, next_query_version, parse_aql, resolve};
use serde::{Deserialize, Serialize};

/// Where the older layout kept stored queries (migrated into the index on its first use).
const LEGACY_NAMES_KEY: &str = "query/names";

fn legacy_versions_key(name: &str) -> String {
    format!("query/v/{name}")
}

/// The spec's `StoredQuery`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredQuery {
    name: String,
    #[serde(rename = "type")]
    query_type: String,
    version: String,
    saved: String,
    q: String,
}

/// What the index keeps about a version besides the spec's fields.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct QueryPrivate {
    /// The write that stored it (empty for versions migrated from the older layout).
    #[serde(default)]
    write: String,
}

/// The stored-query index: one record per name and version, in name and then SEMVER order.
struct Queries;

impl Index for Queries {
    type Item = StoredQuery;
    type Private = QueryPrivate;
    type Sub = Version;
    const ROOT: &'static str = "query/index";
    const SHARDS: &'static str = "query";

    fn key(item: &StoredQuery) -> (String, Version) {
        shards::versioned_key(&item.name, &item.version)
    }

    /// The older layout: `query/names` (every name) and `query/v/{name}` (its versions, in order).
    fn initial_records(store: &dyn KvStore) -> Result<Vec<Record<Self>>, StoreError> {
        let Some(raw) = store.get(LEGACY_NAMES_KEY)? else { return Ok(Vec::new()) };
        let corrupt = |key: &str, e: serde_json::Error| StoreError::corrupt(format!("value of {key} is corrupt: {e}"));
        let names: Vec<String> = serde_json::from_slice(&raw).map_err(|e| corrupt(LEGACY_NAMES_KEY, e))?;
        let mut records = Vec::new();
        for name in names {
            let key = legacy_versions_key(&name);
            let Some(raw) = store.get(&key)? else { continue };
            let versions: Vec<StoredQuery> = serde_json::from_slice(&raw).map_err(|e| corrupt(&key, e))?;
            records.extend(versions.into_iter().map(|item| Record { item, private: QueryPrivate::default() }));
        }
        records.sort_by_key(|r| Self::key(&r.item));
        Ok(records)
    }
}

/// `GET /definition/query/[{prefix}]`: every version of every query whose name matches the prefix.
pub(crate) fn list(ctx: &Ctx, prefix: &str) -> Result<Response<Vec<u8>>, ApiError> {
    if prefix.is_empty() {
        return Ok(json_response(StatusCode::OK, shards::list::<Queries>(ctx.layout())?));
    }
    let all = shards::all::<Queries>(ctx.layout())?;
    let matching: Vec<&StoredQuery> = all
        .iter()
        .map(|r| &r.item)
        .filter(|q| QueryName::parse(&q.name).is_ok_and(|n| n.matches_prefix(prefix)))
        .collect();
    json(StatusCode::OK, &matching)
}

/// `GET /definition/query/{name}/{version_pattern}`: the latest version matching the pattern.
pub(crate) fn get(ctx: &Ctx, name: &str, pattern: &str) -> Result<Response<Vec<u8>>, ApiError> {
    let name = parse_name(name)?;
    let pattern = parse_pattern(pattern)?;
    let versions = shards::group::<Queries>(ctx.layout(), &name)?;
    let parsed: Vec<(Version, &StoredQuery)> =
        versions.iter().filter_map(|r| Version::parse(&r.item.version).ok().map(|v| (v, &r.item))).collect();
    let found = resolve(&pattern, parsed.iter().map(|(v, _)| v))
        .and_then(|v| parsed.iter().find(|(candidate, _)| candidate == v))
        .ok_or_else(|| {
            ApiError::not_found(match &pattern {
                VersionPattern::Any => format!("no stored query {name} has a version"),
                pattern => format!("no version of stored query {name} matches \"{pattern}\""),
            })
        })?;
    json(StatusCode::OK, found.1)
}

/// `PUT /definition/query/{name}[/{version}]`: stores a new version; a missing or partial version is
/// assigned (next free one), an exact existing one is a 409.
pub(crate) fn put(ctx: &Ctx, name: &str, version: Option<&str>) -> Result<Response<Vec<u8>>, ApiError> {
    let name = parse_name(name)?;
    let pattern = parse_pattern(version.unwrap_or(""))?;
    let query = ctx.request.uri().query();
    let query_type =
        query_param(query, "query_type").or_else(|| query_param(query, "type")).unwrap_or_else(|| "AQL".to_owned());
    if query_type.trim().is_empty() {
        return Err(ApiError::invalid("the query type is empty", vec![]));
    }
    let q = query_text(ctx)?;
    if query_type.eq_ignore_ascii_case("AQL") {
        check_aql(&q)?;
    }

    // The commit point: one CAS of the index root; a lost race recomputes the version.
    let write = write_id::new()?;
    let stored = shards::commit::<Queries, StoredQuery>(
        ctx.layout(),
        Some(&name),
        &write,
        |records| records.iter().find(|r| r.private.write == write).map(|r| r.item.clone()),
        |records| {
            let existing: Vec<Version> = records
                .iter()
                .filter(|r| r.item.name == name)
                .filter_map(|r| Version::parse(&r.item.version).ok())
                .collect();
            let next = next_query_version(&pattern, existing.iter()).map_err(|d| {
                if d.code == Code::VersionExists {
                    ApiError { diagnostics: vec![d], ..ApiError::conflict(format!("{name} already has that version")) }
                } else {
                    ApiError::invalid("cannot assign a version", vec![d])
                }
            })?;
            let stored = StoredQuery {
                name: name.clone(),
                query_type: query_type.clone(),
                version: next.to_string(),
                saved: now_rfc3339(),
                q: q.clone(),
            };
            let key = Queries::key(&stored);
            let at = records.partition_point(|r| Queries::key(&r.item) < key);
            records.insert(at, Record { item: stored.clone(), private: QueryPrivate { write: write.clone() } });
            Ok(Decision::Write(stored))
        },
    )?;

    let location = ctx.location(&format!(
        "/definition/query/{}/{}",
        encode_segment(&stored.name),
        encode_segment(&stored.version)
    ));
    let mut response = Response::new(Vec::new());
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(LOCATION, value);
    }
    Ok(response)
}

fn parse_name(name: &str) -> Result<String, ApiError> {
    QueryName::parse(name)
        .map(|_| name.to_owned())
        .map_err(|d| ApiError::invalid(format!("{name:?} is not a valid qualified_query_name"), vec![d]))
}

fn parse_pattern(pattern: &str) -> Result<VersionPattern, ApiError> {
    VersionPattern::parse(pattern).map_err(|d| ApiError::invalid(format!("version {pattern:?} is malformed"), vec![d]))
}

/// An AQL query is parsed before it is stored: with a syntax or semantic error it is a 400 whose
/// `validationErrors`/`diagnostics` are the parser's (the same error path as template uploads). The
/// text is stored as sent, byte for byte, never the pretty-printed form.
fn check_aql(q: &str) -> Result<(), ApiError> {
    let report = parse_aql(q);
    if report.is_valid() {
        return Ok(());
    }
    Err(ApiError::invalid("the query is not valid AQL", report.diagnostics))
}

/// The query text: the body as UTF-8 text, or `{"q": ...}` when sent as JSON. Never empty.
fn query_text(ctx: &Ctx) -> Result<String, ApiError> {
    let body = ctx.request.body();
    let text = if content_type(ctx.request.headers()).as_deref() == Some("application/json") {
        #[derive(Deserialize)]
        struct Body {
            q: String,
        }
        serde_json::from_slice::<Body>(body)
            .map_err(|e| ApiError::invalid(format!("the JSON body needs a string field \"q\": {e}"), vec![]))?
            .q
    } else {
        String::from_utf8(body.clone()).map_err(|_| ApiError::invalid("the query text is not UTF-8", vec![]))?
    };
    if text.trim().is_empty() {
        return Err(ApiError::invalid("the query text is empty", vec![]));
    }
    Ok(text)
}
