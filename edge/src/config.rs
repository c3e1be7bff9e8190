//! API configuration from Spin, so one build can be deployed with different settings (`spin up
//! --variable ...`, `SPIN_VARIABLE_*`, or the platform's variable provider). The names, their parsing
//! and which ones a request needs live in the API crate; this only reads them.
//!
//! The base path is where the manifest mounts the component: Spin names the matched `[[trigger.http]]`
//! route in the `spin-component-route` header (`/v1` for `route = "/v1/..."`). Only under the catch-all
//! route `/...` do the `base_path` and `ehrscape_base_path` variables say it instead. Under a route, both
//! API families answer below it (their paths never overlap: `definition/…` and `template…`), so the
//! manifest's `/rest/v1/...` route serves the Ehrscape calls without a variable read.

use openehr_defs_api::{Config, SettingsNeeded};
use spin_sdk::http::IncomingRequest;
use spin_sdk::variables;

/// Reads the settings this request needs, on each request: a component instance lives for one request,
/// and each variable read is a host call that Spin serves by blocking a runtime thread.
pub fn for_request(request: &IncomingRequest, method: &http::Method) -> Config {
    let headers = request.headers();
    let path = request.path_with_query().unwrap_or_default();
    let path = path.split('?').next().unwrap_or_default();
    let has_origin = !headers.get("origin").is_empty();
    let mount_point = headers
        .get("spin-component-route")
        .into_iter()
        .find_map(|value| String::from_utf8(value).ok())
        .filter(|route| !route.is_empty() && route != "/");
    let setting = |name: &str| match (name, &mount_point) {
        ("base_path" | "ehrscape_base_path", Some(route)) => Some(route.clone()),
        // "Not declared" and "undefined" are treated like an empty value: the API's default.
        _ => variables::get(name).ok(),
    };
    Config::from_settings(setting, SettingsNeeded::of(method, path, has_origin))
}
