//! Every error answer has the master spec's `Error` shape, `{"message", "validationErrors": [string…]}` (each
//! diagnostic rendered as one line, `3:1: error[OPT010]: … (at /template)`), plus two fields of ours:
//! `"error"`, the HTTP reason phrase (Spring-style clients, EHRbase's test suite among them, read it), and
//! `"diagnostics"`, the same diagnostics structured as `{code, severity, message, line, column, path}`.
//! A 5xx says only what kind of failure it was; its cause goes to the log (see `lib.rs`, `handle`).

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
    /// What went wrong inside, for the log only: never sent to the client.
    pub cause: Option<String>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    message: &'a str,
    #[serde(rename = "validationErrors")]
    validation_errors: Vec<String>,
    diagnostics: &'a [Diagnostic],
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError { status, message: message.into(), diagnostics: Vec::new(), headers: Vec::new(), cause: None }
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

    /// 500 for a fault of this program (neither the request's nor the backend's): the client hears
    /// `message`, the log gets `cause`.
    pub fn internal(message: impl Into<String>, cause: impl Into<String>) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message).with_cause(cause)
    }

    /// Too many lost CAS races: the backend is overloaded, not the request wrong.
    pub fn contention(key: &str) -> Self {
        let error = ApiError::unavailable("the storage backend is too busy with other writes; retry later");
        ApiError { cause: Some(format!("gave up committing {key} after every retry lost a race")), ..error }
    }

    /// 503 with `Retry-After`: the backend cannot serve now.
    pub fn unavailable(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message)
            .with_header(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS))
    }

    /// Records what happened inside, for the log.
    pub fn with_cause(mut self, cause: impl Into<String>) -> Self {
        self.cause = Some(cause.into());
        self
    }

    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    pub fn into_response(self) -> Response<Vec<u8>> {
        let error = self.status.canonical_reason().unwrap_or("Error");
        let validation_errors = self.diagnostics.iter().map(ToString::to_string).collect();
        let body = ErrorBody { error, message: &self.message, validation_errors, diagnostics: &self.diagnostics };
        let bytes = serde_json::to_vec(&body).unwrap_or_else(|_| {
            br#"{"error":"Error","message":"error","validationErrors":[],"diagnostics":[]}"#.to_vec()
        });
        let mut response = json_response(self.status, bytes);
        for (name, value) in self.headers {
            response.headers_mut().append(name, value);
        }
        response
    }
}

/// How long a client should wait before retrying after a 503.
const RETRY_AFTER_SECONDS: &str = "1";

/// The one place a storage failure becomes an HTTP answer: unavailable → 503 with `Retry-After`,
/// corrupt → 500; the message names only the kind, the detail goes to the log.
impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        let answer = match &error {
            StoreError::Unavailable(_) => ApiError::unavailable("the storage backend is unavailable; retry later"),
            StoreError::Corrupt(_) => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error: the stored data could not be read")
            }
        };
        answer.with_cause(error.to_string())
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
    let bytes = serde_json::to_vec(value).map_err(|e| {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error: the answer could not be encoded")
            .with_cause(format!("cannot encode the answer: {e}"))
    })?;
    Ok(json_response(status, bytes))
}
