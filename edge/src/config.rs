//! API configuration from Spin variables, so one build can be deployed with different settings
//! (`spin up --variable ...`, `SPIN_VARIABLE_*`, or the platform's variable provider). The names and
//! their parsing live in the API crate ([`Config::from_settings`]); this only reads them.

use openehr_defs_api::Config;
use spin_sdk::variables;

/// Reads the settings this request needs on each request: Spin variables can change between
/// deployments, not within one, but a component instance lives for one request only.
pub fn for_request(method: &spin_sdk::http::Method) -> Config {
    use spin_sdk::http::Method;
    let writes = !matches!(method, Method::Get | Method::Head | Method::Options);
    // "Not declared" and "undefined" are treated like an empty value: the API's default.
    Config::from_settings(|name| variables::get(name).ok(), writes)
}
