//! # openehr-defs-api
//!
//! The openEHR Definitions REST API (ADL 1.4 and ADL 2 templates, stored queries) as one pure
//! function, [`handle`], over a [`KvStore`]. It has no runtime, socket or framework of its own, so the
//! native server (`server/`, SQLite) and the Spin component (`edge/`, Spin's key-value store) are thin
//! adapters around the same code. The storage layout and its guarantees are described in [`store`].
//!
//! `handle` never panics and never answers 500 for bad input: a storage failure is a 503 whose
//! message says it is the backend's fault.

mod adl2;
mod answer;
mod auth;
mod blob;
mod catalog;
mod cors;
mod ehrscape;
mod error;
mod example;
mod first_use;
mod negotiate;
mod opt14;
mod queries;
mod router;
mod shards;
pub mod store;
mod time;
mod web_template;
mod write_id;

pub use negotiate::{encode_segment, percent_decode};
pub use opt14::{BulkOutcome, bulk_upload_opt14};
pub use router::is_api_path;
pub use store::{KvStore, MemoryStore, StoreError, is_immutable_key};
pub use time::now_rfc3339;

use http::{Request, Response};

/// Which browser origins may call the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedOrigins {
    /// `Access-Control-Allow-Origin: *`.
    Any,
    /// Only these exact origins (`https://example.org`), echoed back with `Vary: Origin`.
    List(Vec<String>),
    /// No CORS headers at all.
    None,
}

impl AllowedOrigins {
    /// Reads the setting as hosts write it (a Spin variable, a CLI flag): `*` for any origin,
    /// `none` or empty for no CORS headers, else a comma-separated list of exact origins.
    pub fn from_setting(setting: &str) -> Self {
        let setting = setting.trim();
        match setting {
            "*" => AllowedOrigins::Any,
            "" => AllowedOrigins::None,
            none if none.eq_ignore_ascii_case("none") => AllowedOrigins::None,
            list => AllowedOrigins::List(
                list.split(',').map(str::trim).filter(|o| !o.is_empty()).map(str::to_owned).collect(),
            ),
        }
    }
}

/// How the API is mounted and protected.
#[derive(Debug, Clone)]
pub struct Config {
    /// The path prefix of every API route: `/v1` by default; `/rest/openehr/v1` works as well.
    pub base_path: String,
    pub allowed_origins: AllowedOrigins,
    /// Larger request bodies are refused with 413 (default 8 MiB, above the largest real OPT).
    pub max_body_bytes: usize,
    /// When set, POST and PUT need `Authorization: Bearer <write_token>`.
    pub write_token: Option<String>,
    /// No value the API writes is larger (default 256 KiB; DynamoDB caps an item at 400 KB): bodies
    /// are chunked and indexes sharded to stay under it. See [`store`].
    pub max_value_bytes: usize,
    /// How long the first write to an empty store waits for another request that claimed the creation
    /// of an index before creating it itself (default 2 s; see [`store`], "First use").
    pub first_use_wait: std::time::Duration,
    /// The path prefix of the Ehrscape-compatible template routes (`/template…`): `/rest/v1` by default,
    /// `None` (the setting `none`) for no Ehrscape routes.
    pub ehrscape_base_path: Option<String>,
    /// Whether `DELETE` of an ADL 1.4 template is allowed (standard and Ehrscape routes; default off:
    /// then `DELETE` is 405 like any other method a route does not serve).
    pub allow_delete: bool,
}

/// The default of [`Config::ehrscape_base_path`].
pub const DEFAULT_EHRSCAPE_BASE_PATH: &str = "/rest/v1";

/// The default of [`Config::max_value_bytes`].
pub const DEFAULT_MAX_VALUE_BYTES: usize = 256 * 1024;

impl Default for Config {
    fn default() -> Self {
        Config {
            base_path: "/v1".to_owned(),
            allowed_origins: AllowedOrigins::Any,
            max_body_bytes: 8 * 1024 * 1024,
            write_token: None,
            max_value_bytes: DEFAULT_MAX_VALUE_BYTES,
            first_use_wait: std::time::Duration::from_secs(2),
            ehrscape_base_path: Some(DEFAULT_EHRSCAPE_BASE_PATH.to_owned()),
            allow_delete: false,
        }
    }
}

/// Which settings one request needs: on Spin every setting read is a host call that blocks a runtime
/// thread, and a component instance lives for one request, so a host reads only these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingsNeeded {
    /// `base_path` (every route but `/healthz`).
    pub routing: bool,
    /// `allowed_origins` (only requests with an `Origin` header get CORS headers).
    pub cors: bool,
    /// `max_body_bytes`, `write_token`, `max_value_bytes`, `allow_delete` (methods that may write,
    /// and `OPTIONS`, whose `Allow` names `DELETE` only where it is allowed).
    pub writes: bool,
}

impl SettingsNeeded {
    pub fn of(method: &http::Method, path: &str, has_origin: bool) -> Self {
        let reads_only = matches!(*method, http::Method::GET | http::Method::HEAD);
        SettingsNeeded { routing: path != router::HEALTHZ, cors: has_origin, writes: !reads_only }
    }

    /// Every setting (hosts that read their configuration once, at start).
    pub fn all() -> Self {
        SettingsNeeded { routing: true, cors: true, writes: true }
    }
}

impl Config {
    /// Builds the configuration from named settings as a host stores them (Spin variables): `base_path`,
    /// `ehrscape_base_path` (`none`: no Ehrscape routes), `allowed_origins`, `max_body_bytes`, `write_token`,
    /// `max_value_bytes`, `allow_delete` (`true`/`yes`/`on`/`1`), reading only those `needed`.
    /// A missing, empty or unparsable setting keeps its default.
    pub fn from_settings(setting: impl Fn(&str) -> Option<String>, needed: SettingsNeeded) -> Config {
        let read = |name: &str| setting(name).filter(|value| !value.trim().is_empty());
        let number = |name: &str| read(name).and_then(|text| text.trim().parse::<usize>().ok()).filter(|&n| n > 0);
        let mut config = Config::default();
        if needed.routing
            && let Some(base_path) = read("base_path")
        {
            config.base_path = base_path.trim().to_owned();
        }
        if needed.routing
            && let Some(ehrscape) = read("ehrscape_base_path")
        {
            let ehrscape = ehrscape.trim();
            config.ehrscape_base_path = (!ehrscape.eq_ignore_ascii_case("none")).then(|| ehrscape.to_owned());
        }
        if needed.cors
            && let Some(origins) = read("allowed_origins")
        {
            config.allowed_origins = AllowedOrigins::from_setting(&origins);
        }
        if needed.writes {
            config.max_body_bytes = number("max_body_bytes").unwrap_or(config.max_body_bytes);
            config.max_value_bytes = number("max_value_bytes").unwrap_or(config.max_value_bytes);
            config.write_token = read("write_token");
            config.allow_delete = read("allow_delete")
                .is_some_and(|flag| matches!(flag.trim().to_ascii_lowercase().as_str(), "true" | "yes" | "on" | "1"));
        }
        config
    }
}

/// The API's JSON error answer `{"error", "message", "validationErrors": [], "diagnostics": []}`, for hosts that must refuse a
/// request before it reaches [`handle`] (an unreadable body), so every error has one shape.
pub fn error_response(status: http::StatusCode, message: &str) -> Response<Vec<u8>> {
    error::ApiError::new(status, message).into_response()
}

/// Answers one request. Never panics; bad input gets a 4xx, an unavailable store a 503, stored data
/// this API cannot read a 500. Every 5xx's cause goes to the `log` facade (target `openehr_defs_api`,
/// level error); hosts decide where it goes, the client never sees it.
pub fn handle(request: Request<Vec<u8>>, store: &dyn KvStore, config: &Config) -> Response<Vec<u8>> {
    let mut response = match router::route(&request, store, config) {
        Ok(response) => response,
        Err(error) => {
            if error.status.is_server_error() {
                let cause = error.cause.as_deref().unwrap_or(&error.message);
                log::error!(
                    "{} {} answered {}: {cause}",
                    request.method(),
                    request.uri().path(),
                    error.status.as_u16()
                );
            }
            error.into_response()
        }
    };
    cors::decorate(&mut response, request.headers(), &config.allowed_origins);
    response
}

#[cfg(test)]
mod tests {
    use super::{AllowedOrigins, error_response};

    #[test]
    fn hosts_refuse_requests_with_the_api_error_shape() {
        let response = error_response(http::StatusCode::BAD_REQUEST, "the request body could not be read");
        assert_eq!(response.status(), 400);
        assert_eq!(response.headers()["content-type"], "application/json");
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"error": "Bad Request", "message": "the request body could not be read",
                "validationErrors": [], "diagnostics": []})
        );
    }

    #[test]
    fn settings_are_read_by_name_and_only_when_the_request_needs_them() {
        use super::{Config, SettingsNeeded};
        let asked = std::cell::RefCell::new(Vec::new());
        let settings = |name: &str| {
            asked.borrow_mut().push(name.to_owned());
            match name {
                "base_path" => Some(" /rest/openehr/v1 ".to_owned()),
                "allowed_origins" => Some(String::new()),
                "max_body_bytes" => Some("1000".to_owned()),
                "max_value_bytes" => Some("not a number".to_owned()),
                "write_token" => Some("secret".to_owned()),
                "ehrscape_base_path" => Some("/ehrscape/rest/v1".to_owned()),
                "allow_delete" => Some(" Yes".to_owned()),
                _ => None,
            }
        };
        let get = |path: &str, origin: bool| SettingsNeeded::of(&http::Method::GET, path, origin);
        let healthz = Config::from_settings(settings, get("/healthz", false));
        assert!(asked.borrow().is_empty(), "{asked:?}");
        assert_eq!(healthz.base_path, "/v1");
        let read = Config::from_settings(settings, get("/v1/definition/template/adl1.4", true));
        assert_eq!(*asked.borrow(), ["base_path", "ehrscape_base_path", "allowed_origins"]);
        assert_eq!(read.base_path, "/rest/openehr/v1");
        assert_eq!(read.ehrscape_base_path.as_deref(), Some("/ehrscape/rest/v1"));
        assert!(!read.allow_delete, "a read does not read allow_delete");
        assert_eq!(read.allowed_origins, AllowedOrigins::Any, "empty keeps the default");
        assert_eq!(read.write_token, None);
        let write = Config::from_settings(settings, SettingsNeeded::of(&http::Method::POST, "/v1/x", false));
        assert_eq!(write.max_body_bytes, 1000);
        assert_eq!(write.max_value_bytes, Config::default().max_value_bytes, "unparsable keeps the default");
        assert_eq!(write.write_token.as_deref(), Some("secret"));
        assert!(write.allow_delete);
        let off = Config::from_settings(
            |name| (name == "ehrscape_base_path").then(|| "None".to_owned()),
            SettingsNeeded::of(&http::Method::DELETE, "/v1/x", false),
        );
        assert_eq!(off.ehrscape_base_path, None);
        assert!(!off.allow_delete, "off by default");
        assert!(SettingsNeeded::of(&http::Method::OPTIONS, "/v1/x", false).writes, "OPTIONS names DELETE in Allow");
    }

    #[test]
    fn api_paths_are_healthz_and_the_base_path_and_below() {
        let config = super::Config { base_path: "/rest/openehr/v1/".into(), ..super::Config::default() };
        for path in [
            "/healthz",
            "/rest/openehr/v1",
            "/rest/openehr/v1/",
            "/rest/openehr/v1/definition/query",
            "/rest/v1/template",
        ] {
            assert!(super::is_api_path(path, &config), "{path}");
        }
        for path in ["/", "/index.html", "/rest/openehr/v10", "/healthz/x", "/v1/definition", "/rest/v10"] {
            assert!(!super::is_api_path(path, &config), "{path}");
        }
    }

    #[test]
    fn allowed_origins_setting_reads_any_none_and_lists() {
        assert_eq!(AllowedOrigins::from_setting(" * "), AllowedOrigins::Any);
        assert_eq!(AllowedOrigins::from_setting(""), AllowedOrigins::None);
        assert_eq!(AllowedOrigins::from_setting("None"), AllowedOrigins::None);
        assert_eq!(
            AllowedOrigins::from_setting("https://a.example, https://b.example,"),
            AllowedOrigins::List(vec!["https://a.example".into(), "https://b.example".into()])
        );
    }
}
