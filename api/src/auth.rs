//! Write protection: with a configured token, POST and PUT need `Authorization: Bearer <token>`.

use crate::error::ApiError;
use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, StatusCode};
use sha2::{Digest, Sha256};

/// Checks the bearer token. Both sides are hashed first, so the comparison takes the same time
/// whatever the presented token's length or content.
pub(crate) fn check_write(headers: &HeaderMap, token: Option<&str>) -> Result<(), ApiError> {
    let Some(expected) = token else { return Ok(()) };
    let presented = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let Some(presented) = presented else {
        return Err(unauthorized("this server needs `Authorization: Bearer <token>` for writes"));
    };
    if constant_time_eq(&Sha256::digest(presented.as_bytes()), &Sha256::digest(expected.as_bytes())) {
        Ok(())
    } else {
        Err(unauthorized("the bearer token is not valid"))
    }
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, message)
        .with_header(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"openehr-definitions\""))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
