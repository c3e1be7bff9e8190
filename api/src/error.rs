//! Every error answer has the master spec's `Error` shape: `{"message", "validationErrors": [Diagnostic…]}`.

use crate::store::StoreError;
use http::{HeaderName, HeaderValue, Response, StatusCode, header};
use openehr_definitions::Diagnostic;
use serde::Serialize;

/// An error answer on its way out of a handler.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub diagnostics: Vec<Diagnostic>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    message: &'a str,
    #[serde(rename = "validationErrors")]
    validation_errors: &'a [Diagnostic],
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError { status, message: message.into(), diagnostics: Vec::new(), headers: Vec::new() }
    }

    /// A 400 carrying the core's diagnostics.
    pub fn invalid(message: impl Into<String>, diagnostics: Vec<Diagnostic>) -> Self {
        ApiError { diagnostics, ..ApiError::new(StatusCode::BAD_REQUEST, message) }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::CONFLICT, message)
    }

    /// Too many lost CAS races: the backend is overloaded, not the request wrong.
    pub fn contention(key: &str) -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("storage backend too contended: gave up updating {key}, retry later"),
        )
    }

    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    pub fn into_response(self) -> Response<Vec<u8>> {
        let body = ErrorBody { message: &self.message, validation_errors: &self.diagnostics };
        let bytes =
            serde_json::to_vec(&body).unwrap_or_else(|_| br#"{"message":"error","validationErrors":[]}"#.to_vec());
        let mut response = json_response(self.status, bytes);
        for (name, value) in self.headers {
            response.headers_mut().append(name, value);
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, error.to_string())
    }
}

/// A response with a JSON body.
pub(crate) fn json_response(status: StatusCode, body: Vec<u8>) -> Response<Vec<u8>> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Serializes `value` as a JSON response.
pub(crate) fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Result<Response<Vec<u8>>, ApiError> {
    let bytes = serde_json::to_vec(value)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot encode the answer: {e}")))?;
    Ok(json_response(status, bytes))
}
