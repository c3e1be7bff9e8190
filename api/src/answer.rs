//! The answers both template kinds share: a stored body under its ETag (or 304), and the 201 of an
//! upload shaped by `Prefer: return=…`.

use crate::error::{ApiError, json};
use crate::negotiate::{Return, none_match_hits, prefer_return};
use crate::store::StoreError;
use http::header::{CONTENT_TYPE, ETAG, LOCATION};
use http::{HeaderMap, HeaderValue, Response, StatusCode};
use serde::Serialize;

/// 200 with the body (read or built only when needed) and its strong ETag, or 304 when `If-None-Match`
/// has it.
pub(crate) fn stored_body<E: Into<ApiError>>(
    request_headers: &HeaderMap,
    etag: &str,
    content_type: &'static str,
    body: impl FnOnce() -> Result<Vec<u8>, E>,
) -> Result<Response<Vec<u8>>, ApiError> {
    let etag_value =
        HeaderValue::from_str(etag).map_err(|_| StoreError::corrupt("stored ETag is not a header value"))?;
    let mut response = if none_match_hits(request_headers, etag) {
        let mut response = Response::new(Vec::new());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        response
    } else {
        let mut response = Response::new(body().map_err(Into::into)?);
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        response
    };
    response.headers_mut().insert(ETAG, etag_value);
    Ok(response)
}

/// 201 with `Location` and `ETag`; the body is empty, the upload itself, or `identifier` as JSON, as
/// `Prefer: return=minimal|representation|identifier` asks.
pub(crate) fn created(
    request_headers: &HeaderMap,
    location: &str,
    etag: &str,
    upload: (&[u8], &'static str),
    identifier: &impl Serialize,
) -> Result<Response<Vec<u8>>, ApiError> {
    let mut response = match prefer_return(request_headers) {
        Return::Minimal => Response::new(Vec::new()),
        Return::Representation => {
            let mut response = Response::new(upload.0.to_vec());
            response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(upload.1));
            response
        }
        Return::Identifier => json(StatusCode::CREATED, identifier)?,
    };
    *response.status_mut() = StatusCode::CREATED;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(location) {
        headers.insert(LOCATION, value);
    }
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(ETAG, value);
    }
    Ok(response)
}
