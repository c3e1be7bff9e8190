//! The Ehrscape-compatible template routes (Better's `/rest/v1/template`, EHRbase's `/rest/ecis/v1/template`),
//! under [`Config::ehrscape_base_path`](crate::Config::ehrscape_base_path), over the same store as the
//! standard API: a template uploaded through either is visible through both.
//!
//! - `GET /template` → `{"templates": [{"templateId", "createdOn", "concept", "archetypeId"}]}`;
//! - `POST /template` (OPT XML) → the standard upload step (same validation, 400 diagnostics, 409), then
//!   201 with `Location` and Better's answer `{"action": "CREATE", "templateId": …}`;
//! - `GET /template/{templateId}?defaultLanguage=&languages=` → `{"meta": {"href"}, "webTemplate"}`;
//! - `GET /template/{templateId}/opt` → the stored OPT byte for byte;
//! - `DELETE /template/{templateId}` (when deletes are allowed) → 200 `{"action": "DELETE", "templateId"}`.
//!
//! Errors have the standard API's status codes and body (`{"error", "message", …}`).

use crate::answer;
use crate::error::{ApiError, json, json_response};
use crate::negotiate::encode_segment;
use crate::opt14;
use crate::router::Ctx;
use crate::web_template;
use http::header::{ETAG, LOCATION};
use http::{HeaderValue, Response, StatusCode};
use openehr_definitions::web_template::{Options, WebTemplate};
use serde::Serialize;

/// One template in the list, with Better's field names.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListItem<'a> {
    template_id: &'a str,
    created_on: &'a str,
    concept: &'a str,
    archetype_id: &'a str,
}

#[derive(Serialize)]
struct List<'a> {
    templates: Vec<ListItem<'a>>,
}

pub(crate) fn list(ctx: &Ctx) -> Result<Response<Vec<u8>>, ApiError> {
    let items = opt14::list_items(ctx)?;
    let templates = items
        .iter()
        .map(|item| ListItem {
            template_id: &item.template_id,
            created_on: &item.created_timestamp,
            concept: &item.concept,
            archetype_id: &item.archetype_id,
        })
        .collect();
    json(StatusCode::OK, &List { templates })
}

/// What a write answers: Better's `{"action", "templateId"}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Action<'a> {
    action: &'static str,
    template_id: &'a str,
}

pub(crate) fn upload(ctx: &Ctx) -> Result<Response<Vec<u8>>, ApiError> {
    let (template_id, etag) = opt14::store_upload(ctx)?;
    let mut response = json(StatusCode::CREATED, &Action { action: "CREATE", template_id: &template_id })?;
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(&href(ctx, &template_id)) {
        headers.insert(LOCATION, location);
    }
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(ETAG, etag);
    }
    Ok(response)
}

#[derive(Serialize)]
struct Meta {
    href: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Wrapped<'a> {
    meta: Meta,
    web_template: &'a WebTemplate,
}

pub(crate) fn get(ctx: &Ctx, template_id: &str) -> Result<Response<Vec<u8>>, ApiError> {
    let options = web_template::options_from_query(ctx.request.uri().query());
    let template = opt14::stored(ctx, template_id)?;
    let meta = Meta { href: href(ctx, template_id) };
    if options != Options::default() {
        let built = web_template::build(template_id, &template.body()?, &options)?;
        return json(StatusCode::OK, &Wrapped { meta, web_template: &built });
    }
    // The default languages: the cached document, wrapped without parsing it again.
    let etag = template.etag().to_owned();
    let cached = web_template::default_json(ctx.layout(), template_id, &etag, move || template.body())?;
    let meta = serde_json::to_vec(&meta).map_err(|e| {
        ApiError::internal("internal error: the answer could not be encoded", format!("cannot encode meta: {e}"))
    })?;
    let mut body = Vec::with_capacity(cached.len() + meta.len() + 32);
    body.extend_from_slice(b"{\"meta\":");
    body.extend_from_slice(&meta);
    body.extend_from_slice(b",\"webTemplate\":");
    body.extend_from_slice(&cached);
    body.push(b'}');
    Ok(json_response(StatusCode::OK, body))
}

pub(crate) fn get_opt(ctx: &Ctx, template_id: &str) -> Result<Response<Vec<u8>>, ApiError> {
    let template = opt14::stored(ctx, template_id)?;
    let etag = template.etag().to_owned();
    answer::stored_body(ctx.request.headers(), &etag, "application/xml", move || template.body())
}

pub(crate) fn delete(ctx: &Ctx, template_id: &str) -> Result<Response<Vec<u8>>, ApiError> {
    opt14::delete_template(ctx, template_id)?;
    json(StatusCode::OK, &Action { action: "DELETE", template_id })
}

/// The path of a template's Ehrscape resource (a relative reference: the API does not know its host).
fn href(ctx: &Ctx, template_id: &str) -> String {
    let base = ctx.config.ehrscape_base_path.as_deref().unwrap_or_default().trim_end_matches('/');
    format!("{base}/template/{}", encode_segment(template_id))
}
