//! Cross-origin headers, so the browser playground served from another origin can call the API.

use crate::AllowedOrigins;
use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ORIGIN, VARY,
};
use http::{HeaderMap, HeaderValue, Response, StatusCode};

/// The request headers a browser may send.
pub const ALLOWED_HEADERS: &str = "Content-Type, Authorization, Prefer, If-None-Match, Accept";
/// The response headers a browser script may read.
pub const EXPOSED_HEADERS: &str = "Location, ETag";

/// The `Access-Control-Allow-Origin` value for this request, if any.
fn allow_origin(request_headers: &HeaderMap, allowed: &AllowedOrigins) -> Option<HeaderValue> {
    match allowed {
        AllowedOrigins::Any => Some(HeaderValue::from_static("*")),
        AllowedOrigins::None => None,
        AllowedOrigins::List(list) => {
            let origin = request_headers.get(ORIGIN)?;
            let origin_str = origin.to_str().ok()?;
            list.iter().any(|o| o == origin_str).then(|| origin.clone())
        }
    }
}

/// Adds the CORS headers: to requests with an `Origin` (every cross-origin browser request has one), and
/// `Vary: Origin` to every answer, so a cache never hands a browser an answer made for another origin.
/// Requests without `Origin` never need the setting (which on Spin costs a host call to read).
pub(crate) fn decorate(response: &mut Response<Vec<u8>>, request_headers: &HeaderMap, allowed: &AllowedOrigins) {
    let headers = response.headers_mut();
    headers.append(VARY, HeaderValue::from_static("Origin"));
    if !request_headers.contains_key(ORIGIN) {
        return;
    }
    if let Some(origin) = allow_origin(request_headers, allowed) {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSED_HEADERS));
    }
}

/// The answer to a preflight `OPTIONS` on a known route.
pub(crate) fn preflight(allow: &'static str) -> Response<Vec<u8>> {
    let mut response = Response::new(Vec::new());
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    headers.insert(http::header::ALLOW, HeaderValue::from_static(allow));
    headers.insert(ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(allow));
    headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(ALLOWED_HEADERS));
    headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    response
}
