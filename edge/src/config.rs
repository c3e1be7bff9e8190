//! API configuration from Spin variables, so one build can be deployed with different settings
//! (`spin up --variable ...`, `SPIN_VARIABLE_*`, or the platform's variable provider).
//! Anything unset, empty or unparsable keeps the API crate's default.

use openehr_defs_api::{AllowedOrigins, Config};
use spin_sdk::variables;

/// Reads every setting on each request: Spin variables can change between deployments, not within one.
pub fn from_spin_variables() -> Config {
    let defaults = Config::default();
    Config {
        base_path: variable("base_path").unwrap_or(defaults.base_path),
        allowed_origins: variable("allowed_origins").map_or(defaults.allowed_origins, |text| allowed_origins(&text)),
        max_body_bytes: variable("max_body_bytes")
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(defaults.max_body_bytes),
        write_token: variable("write_token").or(defaults.write_token),
        max_value_bytes: variable("max_value_bytes")
            .and_then(|text| text.trim().parse().ok())
            .filter(|&bytes| bytes > 0)
            .unwrap_or(defaults.max_value_bytes),
        ..defaults
    }
}

/// `*` = any origin, `none` = no CORS headers, otherwise a comma-separated list of exact origins.
fn allowed_origins(text: &str) -> AllowedOrigins {
    match text.trim() {
        "*" => AllowedOrigins::Any,
        "none" => AllowedOrigins::None,
        list => AllowedOrigins::List(
            list.split(',').map(str::trim).filter(|origin| !origin.is_empty()).map(str::to_owned).collect(),
        ),
    }
}

/// A variable's value, treating "not declared", "undefined" and "empty" alike as absent.
fn variable(name: &str) -> Option<String> {
    variables::get(name).ok().filter(|value| !value.trim().is_empty())
}
