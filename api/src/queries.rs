//! Stored queries: `PUT/GET /definition/query/{qualified_query_name}[/{version}]`.

use crate::error::{ApiError, json};
use crate::index::{self, Decision};
use crate::negotiate::{content_type, encode_segment, query_param};
use crate::router::Ctx;
use crate::time::now_rfc3339;
use http::header::LOCATION;
use http::{HeaderValue, Response, StatusCode};
use openehr_definitions::version::Version;
use openehr_definitions::{Code, QueryName, VersionPattern, next_query_version, resolve};
use serde::{Deserialize, Serialize};

const NAMES_KEY: &str = "query/names";

fn versions_key(name: &str) -> String {
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

/// `GET /definition/query/[{prefix}]`: every version of every query whose name matches the prefix.
pub(crate) fn list(ctx: &Ctx, prefix: &str) -> Result<Response<Vec<u8>>, ApiError> {
    let names: Vec<String> = index::read(ctx.store, NAMES_KEY)?;
    let mut all = Vec::new();
    for name in names {
        let matches = prefix.is_empty() || QueryName::parse(&name).is_ok_and(|n| n.matches_prefix(prefix));
        if matches {
            let versions: Vec<StoredQuery> = index::read(ctx.store, &versions_key(&name))?;
            all.extend(versions);
        }
    }
    json(StatusCode::OK, &all)
}

/// `GET /definition/query/{name}/{version_pattern}`: the latest version matching the pattern.
pub(crate) fn get(ctx: &Ctx, name: &str, pattern: &str) -> Result<Response<Vec<u8>>, ApiError> {
    let name = parse_name(name)?;
    let pattern = parse_pattern(pattern)?;
    let versions: Vec<StoredQuery> = index::read(ctx.store, &versions_key(&name))?;
    let parsed: Vec<(Version, &StoredQuery)> =
        versions.iter().filter_map(|q| Version::parse(&q.version).ok().map(|v| (v, q))).collect();
    let found = resolve(&pattern, parsed.iter().map(|(v, _)| v))
        .and_then(|v| parsed.iter().find(|(candidate, _)| candidate == v))
        .ok_or_else(|| ApiError::not_found(format!("no stored query {name} matches version {pattern:?}")))?;
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

    // Register the name first: a crash after this leaves a name without versions, which lists nothing.
    index::update(ctx.store, NAMES_KEY, |names: &mut Vec<String>| {
        Ok(match names.binary_search(&name) {
            Ok(_) => Decision::Keep(()),
            Err(at) => {
                names.insert(at, name.clone());
                Decision::Write(())
            }
        })
    })?;
    // The commit point: one CAS of this name's version list; a lost race recomputes the version.
    let stored = index::update(ctx.store, &versions_key(&name), |versions: &mut Vec<StoredQuery>| {
        let existing: Vec<Version> = versions.iter().filter_map(|v| Version::parse(&v.version).ok()).collect();
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
        let at = existing.iter().filter(|v| **v < next).count();
        versions.insert(at.min(versions.len()), stored.clone());
        Ok(Decision::Write(stored))
    })?;

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
