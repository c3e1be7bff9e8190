//! Maps method + path to a handler, and applies what every route shares: 404/405, preflight,
//! write protection and the body size limit.

use crate::error::ApiError;
use crate::negotiate::{accepts, content_type, percent_decode};
use crate::shards::Layout;
use crate::store::KvStore;
use crate::{Config, adl2, auth, cors, ehrscape, example, opt14, queries};
use http::header::{ALLOW, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, Response, StatusCode};

/// What a handler needs from the request's surroundings.
pub(crate) struct Ctx<'a> {
    pub request: &'a Request<Vec<u8>>,
    pub store: &'a dyn KvStore,
    pub config: &'a Config,
}

impl<'a> Ctx<'a> {
    /// The store with the configured limits.
    pub fn layout(&self) -> Layout<'a> {
        Layout::new(self.store, self.config)
    }

    /// The path of `suffix` under the configured base path (for `Location`).
    pub fn location(&self, suffix: &str) -> String {
        format!("{}{suffix}", self.config.base_path.trim_end_matches('/'))
    }
}

/// The routes, with their decoded path parameters.
enum Route {
    Healthz,
    Opt14Collection,
    Opt14Item(String),
    /// `/definition/template/adl1.4/{template_id}/example`.
    Opt14Example(String),
    Adl2Collection,
    Adl2Item(String, Option<String>),
    QueryCollection(String),
    QueryItem(String, Option<String>),
    /// Ehrscape `/template`: list and upload.
    EhrscapeCollection,
    /// Ehrscape `/template/{templateId}`: the web template, wrapped.
    EhrscapeItem(String),
    /// Ehrscape `/template/{templateId}/opt`: the OPT.
    EhrscapeOpt(String),
    /// Ehrscape `/template/{templateId}/example`: an example composition.
    EhrscapeExample(String),
}

impl Route {
    /// What a GET answers with: `Accept` must admit one of these (else 406). `/healthz` answers anything.
    fn produces(&self) -> &'static [&'static str] {
        match self {
            // `format=` wins over Accept, so these routes negotiate themselves (the standard one: 406).
            Route::Healthz | Route::Opt14Example(_) | Route::EhrscapeExample(_) => &[],
            Route::Opt14Item(_) => opt14::REPRESENTATIONS,
            Route::EhrscapeOpt(_) => &["application/xml", "text/xml"],
            Route::Adl2Item(..) => &["text/plain"],
            _ => &["application/json"],
        }
    }

    /// What a write reads: `Content-Type` must be one of these (else 415).
    fn consumes(&self) -> &'static [&'static str] {
        match self {
            Route::Opt14Collection | Route::EhrscapeCollection => &["application/xml", "text/xml"],
            Route::Adl2Collection => &["text/plain"],
            Route::QueryItem(..) => &["text/plain", "application/json"],
            _ => &[],
        }
    }

    /// The methods this route serves; `DELETE` of an ADL 1.4 template only when `allow_delete` is set.
    fn allow(&self, allow_delete: bool) -> &'static str {
        match self {
            Route::Opt14Item(_) | Route::EhrscapeItem(_) if allow_delete => "GET, DELETE, OPTIONS",
            Route::Healthz
            | Route::Opt14Item(_)
            | Route::EhrscapeItem(_)
            | Route::EhrscapeOpt(_)
            | Route::Opt14Example(_)
            | Route::EhrscapeExample(_)
            | Route::Adl2Item(..)
            | Route::QueryCollection(_) => "GET, OPTIONS",
            Route::Opt14Collection | Route::Adl2Collection | Route::EhrscapeCollection => "GET, POST, OPTIONS",
            Route::QueryItem(..) => "GET, PUT, OPTIONS",
        }
    }
}

pub(crate) fn route(
    request: &Request<Vec<u8>>,
    store: &dyn KvStore,
    config: &Config,
) -> Result<Response<Vec<u8>>, ApiError> {
    let route = match_route(request.uri().path(), config)?;
    let method = request.method();
    let allow = route.allow(config.allow_delete);
    if method == Method::OPTIONS {
        return Ok(cors::preflight(allow));
    }
    let allowed = allow.split(", ").any(|m| m == method.as_str());
    if !allowed {
        return Err(ApiError::new(StatusCode::METHOD_NOT_ALLOWED, format!("{method} is not allowed here"))
            .with_header(ALLOW, HeaderValue::from_static(allow)));
    }
    if method == Method::DELETE {
        auth::check_write(request.headers(), config.write_token.as_deref())?;
        let ctx = Ctx { request, store, config };
        return match route {
            Route::Opt14Item(id) => opt14::delete(&ctx, &id),
            Route::EhrscapeItem(id) => ehrscape::delete(&ctx, &id),
            _ => Err(ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "DELETE is not allowed here")
                .with_header(ALLOW, HeaderValue::from_static(allow))),
        };
    }
    if method == Method::POST || method == Method::PUT {
        auth::check_write(request.headers(), config.write_token.as_deref())?;
        if request.body().len() > config.max_body_bytes {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request body is larger than the limit of {} bytes", config.max_body_bytes),
            ));
        }
    }
    let write = method == Method::POST || method == Method::PUT;
    negotiate_media(&route, request, write)?;
    let ctx = Ctx { request, store, config };
    match (route, write) {
        (Route::Healthz, _) => Ok(healthz()),
        (Route::Opt14Collection, false) => opt14::list(&ctx),
        (Route::Opt14Collection, true) => opt14::upload(&ctx),
        (Route::Opt14Item(id), _) => opt14::get(&ctx, &id),
        (Route::Opt14Example(id), _) => example::get(&ctx, &id),
        (Route::Adl2Collection, false) => adl2::list(&ctx),
        (Route::Adl2Collection, true) => adl2::upload(&ctx),
        (Route::Adl2Item(id, pattern), _) => adl2::get(&ctx, &id, pattern.as_deref()),
        (Route::QueryCollection(prefix), _) => queries::list(&ctx, &prefix),
        (Route::QueryItem(prefix, None), false) => queries::list(&ctx, &prefix),
        (Route::QueryItem(name, Some(pattern)), false) => queries::get(&ctx, &name, &pattern),
        (Route::QueryItem(name, version), true) => queries::put(&ctx, &name, version.as_deref()),
        (Route::EhrscapeCollection, false) => ehrscape::list(&ctx),
        (Route::EhrscapeCollection, true) => ehrscape::upload(&ctx),
        (Route::EhrscapeItem(id), _) => ehrscape::get(&ctx, &id),
        (Route::EhrscapeOpt(id), _) => ehrscape::get_opt(&ctx, &id),
        (Route::EhrscapeExample(id), _) => example::get_ehrscape(&ctx, &id),
    }
}

/// The one rule for media types on every route: a read's `Accept` must admit what the route answers with
/// (406), a write's `Content-Type` must be what the route reads (415).
fn negotiate_media(route: &Route, request: &Request<Vec<u8>>, write: bool) -> Result<(), ApiError> {
    let headers = request.headers();
    if write {
        let consumes = route.consumes();
        let sent = content_type(headers);
        if !sent.as_deref().is_some_and(|sent| consumes.contains(&sent)) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "this route reads {}, not {}",
                    consumes.join(" or "),
                    sent.as_deref().unwrap_or("(no Content-Type)")
                ),
            ));
        }
        return Ok(());
    }
    let produces = route.produces();
    if !produces.is_empty() && !accepts(headers, produces) {
        return Err(ApiError::new(
            StatusCode::NOT_ACCEPTABLE,
            format!("this route answers with {} only", produces.join(" or ")),
        ));
    }
    Ok(())
}

fn healthz() -> Response<Vec<u8>> {
    let mut response = Response::new(b"ok".to_vec());
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

/// The liveness route, outside the base path.
pub(crate) const HEALTHZ: &str = "/healthz";

/// Whether `path` is the API's to answer (`/healthz`, or the base path and below), so a host that also
/// serves other things (the page's static files) asks instead of matching paths itself.
pub fn is_api_path(path: &str, config: &Config) -> bool {
    let under = |base: &str| {
        let base = base.trim_end_matches('/');
        path == base || path.strip_prefix(base).is_some_and(|rest| rest.starts_with('/'))
    };
    path == HEALTHZ || under(&config.base_path) || config.ehrscape_base_path.as_deref().is_some_and(under)
}

/// The part of `path` below `base` (starting with `/`), if it is below it.
fn below<'p>(path: &'p str, base: &str) -> Option<&'p str> {
    path.strip_prefix(base.trim_end_matches('/')).filter(|rest| rest.starts_with('/'))
}

fn match_route(path: &str, config: &Config) -> Result<Route, ApiError> {
    if path == HEALTHZ {
        return Ok(Route::Healthz);
    }
    let not_found = || ApiError::not_found(format!("no such resource: {path}"));
    // The standard routes all start with `definition/`, the Ehrscape ones with `template`: one base
    // path may hold both (Spin mounts both families under each of the manifest's routes).
    if let Some(rest) = below(path, &config.base_path)
        && let Some(route) = standard_route(&segments(rest)?)
    {
        return Ok(route);
    }
    if let Some(ehrscape) = &config.ehrscape_base_path
        && let Some(rest) = below(path, ehrscape)
        && let Some(route) = ehrscape_route(&segments(rest)?)
    {
        return Ok(route);
    }
    Err(not_found())
}

/// The percent-decoded segments of `rest` (which starts with `/`); a trailing slash names the collection.
fn segments(rest: &str) -> Result<Vec<String>, ApiError> {
    let mut segments = Vec::new();
    for raw in rest[1..].split('/') {
        let decoded = percent_decode(raw, false).ok_or_else(|| {
            ApiError::invalid(format!("path segment {raw:?} is not valid percent-encoded UTF-8"), vec![])
        })?;
        segments.push(decoded);
    }
    // A trailing slash (`/definition/query/`) names the collection.
    if segments.len() > 1 && segments.last().is_some_and(String::is_empty) {
        segments.pop();
    }
    Ok(segments)
}

fn ehrscape_route(segments: &[String]) -> Option<Route> {
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    Some(match s.as_slice() {
        ["template"] => Route::EhrscapeCollection,
        ["template", id] => Route::EhrscapeItem((*id).to_owned()),
        ["template", id, "opt"] => Route::EhrscapeOpt((*id).to_owned()),
        ["template", id, "example"] => Route::EhrscapeExample((*id).to_owned()),
        _ => return None,
    })
}

fn standard_route(segments: &[String]) -> Option<Route> {
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    let owned = |i: usize| segments[i].clone();
    Some(match s.as_slice() {
        ["definition", "template", "adl1.4"] => Route::Opt14Collection,
        ["definition", "template", "adl1.4", _] => Route::Opt14Item(owned(3)),
        ["definition", "template", "adl1.4", _, "example"] => Route::Opt14Example(owned(3)),
        ["definition", "template", "adl2"] => Route::Adl2Collection,
        ["definition", "template", "adl2", _] => Route::Adl2Item(owned(3), None),
        ["definition", "template", "adl2", _, _] => Route::Adl2Item(owned(3), Some(owned(4))),
        ["definition", "query"] => Route::QueryCollection(String::new()),
        ["definition", "query", _] => Route::QueryItem(owned(2), None),
        ["definition", "query", _, _] => Route::QueryItem(owned(2), Some(owned(3))),
        _ => return None,
    })
}
