//! API configuration from Spin variables, so one build can be deployed with different settings
//! (`spin up --variable ...`, `SPIN_VARIABLE_*`, or the platform's variable provider). The names, their
//! parsing and which ones a request needs live in the API crate; this only reads them.

use openehr_defs_api::{Config, SettingsNeeded};
use spin_sdk::http::IncomingRequest;
use spin_sdk::variables;

/// Reads the settings this request needs, on each request: a component instance lives for one request,
/// and each read is a host call that Spin serves by blocking a runtime thread.
pub fn for_request(request: &IncomingRequest, method: &http::Method) -> Config {
    let path = request.path_with_query().unwrap_or_default();
    let path = path.split('?').next().unwrap_or_default();
    let has_origin = !request.headers().get("origin").is_empty();
    // "Not declared" and "undefined" are treated like an empty value: the API's default.
    Config::from_settings(|name| variables::get(name).ok(), SettingsNeeded::of(method, path, has_origin))
}
