//! Conversion between the WASI HTTP types Spin hands us and the `http` crate types the API crate speaks.

use futures::StreamExt;
use spin_sdk::http::{Fields, IncomingRequest, Method, OutgoingResponse, ResponseOutparam};

/// Why a request could not be turned into an `http::Request`.
#[derive(Debug)]
pub enum Rejection {
    /// The body stream failed mid-way (client went away, host error).
    BodyUnreadable,
    /// Method, target or a header is not representable in the `http` crate.
    Malformed,
}

/// Builds the `http::Request`, reading at most `max_body_bytes + 1` body bytes.
///
/// Reading one byte past the limit lets the API crate see that the body is too large (and answer with its own
/// error document) while keeping memory bounded however large the upload is.
pub async fn read_request(
    request: IncomingRequest,
    method: http::Method,
    max_body_bytes: usize,
) -> Result<http::Request<Vec<u8>>, Rejection> {
    let target = request.path_with_query().unwrap_or_else(|| "/".to_owned());
    let mut builder = http::Request::builder().method(method).uri(target);
    for (name, value) in request.headers().entries() {
        builder = builder.header(name, value);
    }
    let body = read_body_capped(request, max_body_bytes.saturating_add(1)).await?;
    builder.body(body).map_err(|_| Rejection::Malformed)
}

/// Collects the body, stopping (without reading the rest) once `cap` bytes are in.
async fn read_body_capped(request: IncomingRequest, cap: usize) -> Result<Vec<u8>, Rejection> {
    let mut stream = request.into_body_stream();
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| Rejection::BodyUnreadable)?;
        let room = cap - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() == cap {
            break;
        }
    }
    Ok(body)
}

/// The method as the `http` crate names it (`None` for one it cannot represent).
pub fn http_method(method: &Method) -> Option<http::Method> {
    Some(match method {
        Method::Get => http::Method::GET,
        Method::Post => http::Method::POST,
        Method::Put => http::Method::PUT,
        Method::Delete => http::Method::DELETE,
        Method::Patch => http::Method::PATCH,
        Method::Head => http::Method::HEAD,
        Method::Options => http::Method::OPTIONS,
        Method::Connect => http::Method::CONNECT,
        Method::Trace => http::Method::TRACE,
        Method::Other(other) => http::Method::from_bytes(other.as_bytes()).ok()?,
    })
}

/// The answer for a request that never reached the API crate: the API's own JSON error shape.
pub fn rejection_response(rejection: Rejection) -> http::Response<Vec<u8>> {
    let message = match rejection {
        Rejection::BodyUnreadable => "the request body could not be read",
        Rejection::Malformed => "the request is not valid HTTP",
    };
    openehr_defs_api::error_response(http::StatusCode::BAD_REQUEST, message)
}

/// Sends status, every header (repeated names kept) and the body.
pub async fn write_response(response: http::Response<Vec<u8>>, out: ResponseOutparam) {
    let (parts, body) = response.into_parts();
    let headers: Vec<(String, Vec<u8>)> =
        parts.headers.iter().map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec())).collect();
    let (outgoing, status, body) = match Fields::from_list(&headers) {
        Ok(fields) => (OutgoingResponse::new(fields), parts.status.as_u16(), body),
        // The host refused a header (e.g. a hop-by-hop one): fail loudly rather than send a partial answer.
        Err(_) => (OutgoingResponse::new(Fields::new()), 500, Vec::new()),
    };
    // Only fails for codes outside 100..=599, which `http::StatusCode` cannot hold.
    let _ = outgoing.set_status_code(status);
    // A failed write means the client is gone; there is nobody left to tell.
    let _ = out.set_with_body(outgoing, body).await;
}
