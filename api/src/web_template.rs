//! Web templates (`application/openehr.wt+json`) of stored ADL 1.4 templates, for the standard
//! `GET /definition/template/adl1.4/{template_id}` and the Ehrscape `GET /template/{templateId}`.
//!
//! **Cached on first read, in the store, under an immutable key.** The web template with the default
//! languages is a pure function of the OPT's bytes and the builder, so it is kept under
//! `wt/{OPT SHA-256}.{builder version}` (the JSON itself, or a chunk manifest when it is over the value
//! limit): the first GET builds it and writes it, every later GET reads it (hosts may hold it in memory:
//! [`crate::is_immutable_key`]). Racing first GETs write the same bytes; a failed write only costs the next
//! GET a build; templates stored before this existed are served the same way; a deleted template's entry
//! stays, like its chunks, and serves a later upload of the same bytes. Requests with other languages
//! (Ehrscape's `defaultLanguage`/`languages`) are built per request.
//!
//! Why, measured (native server, loopback, wrk -t2 -c16 -d5s, 1 000 stored templates, the 22 KB load
//! template whose web template is 3.7 KB, 2 cores shared with other work, two rounds of each build, back
//! to back):
//!
//! | GET | built per request | cached on first read |
//! |---|---|---|
//! | the XML | 18.3–31.5 k req/s, p99 12.5–21.6 ms | 11.3–16.4 k req/s, p99 9.7–13.4 ms |
//! | the web template | **0.8–2.0 k req/s, p99 31–54 ms** | **12.7–14.5 k req/s, p99 11.2–16.1 ms** |
//! | the web template, `If-None-Match` (304) | 20.9–29.9 k req/s | 11.6–14.2 k req/s |
//!
//! Building costs about 1 ms of CPU per request: an order of magnitude under the XML GET. Cached, the web
//! template GET answers like the XML GET. (The XML columns differ because the cached build also stopped
//! holding `opt14/id/…` values in the native server's memory, now that deletion can change them.)
//! Storing it at upload instead would have made every upload and the bulk import pay the build, grown the
//! index record and its crash-safety argument, and still needed this path for the templates stored before.
//! The ETag (the OPT's, plus the builder version) is known before anything is read or built, so a
//! revalidating client gets its 304 for free.

use crate::blob::{Manifest, get_body, put_body};
use crate::error::ApiError;
use crate::shards::Layout;
use crate::store::StoreError;
use openehr_definitions::web_template::{Options, WebTemplate, web_template};

/// The web template's media type.
pub(crate) const WT_JSON: &str = "application/openehr.wt+json";
/// Plain JSON: the same document.
pub(crate) const JSON: &str = "application/json";

/// The strong ETag of the web template built with the default options from the OPT whose ETag is
/// `opt_etag`: it changes with the OPT and with the builder (its crate version).
pub(crate) fn etag(opt_etag: &str) -> String {
    let hash = opt_etag.trim_matches('"');
    format!("\"{hash}.wt-{}\"", env!("CARGO_PKG_VERSION"))
}

/// The key of the cached default web template of the OPT whose ETag is `opt_etag` (its SHA-256).
fn cache_key(opt_etag: &str) -> String {
    format!("wt/{}.{}", opt_etag.trim_matches('"'), env!("CARGO_PKG_VERSION"))
}

/// A cached value holding a chunk manifest (the JSON was over the value limit) starts with this byte;
/// otherwise the value is the JSON itself (which starts with `{`).
const MANIFEST: u8 = b'M';

/// The web template (default languages) of the stored OPT `template_id`, as compact JSON: from the cache,
/// else built from `opt()` and cached.
pub(crate) fn default_json(
    layout: Layout,
    template_id: &str,
    opt_etag: &str,
    opt: impl FnOnce() -> Result<Vec<u8>, StoreError>,
) -> Result<Vec<u8>, ApiError> {
    let key = cache_key(opt_etag);
    if let Some(cached) = layout.store.get_shared(&key)? {
        if cached.first() != Some(&MANIFEST) {
            return Ok(cached.to_vec());
        }
        let manifest: Manifest = serde_json::from_slice(&cached[1..])
            .map_err(|e| StoreError::corrupt(format!("the value of {key} is corrupt: {e}")))?;
        return Ok(get_body(layout.store, &manifest)?);
    }
    let json = to_json(template_id, &build(template_id, &opt()?, &Options::default())?)?;
    // A cache fill: failing it only costs the next request a build.
    let _ = store(layout, &key, &json);
    Ok(json)
}

/// The web template (default languages) of the stored OPT `template_id`, as the builder's value (the
/// examples need the value, and the core reads no web template JSON back): built from `opt()` once,
/// and its JSON cached like [`default_json`] does when no one has cached it yet.
pub(crate) fn default_built(
    layout: Layout,
    template_id: &str,
    opt_etag: &str,
    opt: impl FnOnce() -> Result<Vec<u8>, StoreError>,
) -> Result<WebTemplate, ApiError> {
    let built = build(template_id, &opt()?, &Options::default())?;
    let key = cache_key(opt_etag);
    if layout.store.get_shared(&key)?.is_none() {
        // A cache fill: failing it only costs the next request a build.
        let _ = store(layout, &key, &to_json(template_id, &built)?);
    }
    Ok(built)
}

fn store(layout: Layout, key: &str, json: &[u8]) -> Result<(), StoreError> {
    if json.len() <= layout.max_value_bytes {
        return layout.store.set(key, json);
    }
    let manifest = put_body(layout.store, json, layout.max_value_bytes)?;
    let mut value = vec![MANIFEST];
    value.extend(serde_json::to_vec(&manifest).map_err(|e| StoreError::corrupt(format!("cannot encode: {e}")))?);
    layout.store.set(key, &value)
}

/// Builds the web template of a stored (so already validated) OPT. A stored OPT the builder refuses is
/// this program's fault: 500, with the diagnostics in the log.
pub(crate) fn build(template_id: &str, opt: &[u8], options: &Options) -> Result<WebTemplate, ApiError> {
    web_template(opt, options).map_err(|diagnostics| {
        let first = diagnostics.first().map(ToString::to_string).unwrap_or_default();
        ApiError::internal(
            "internal error: the web template could not be built",
            format!("the stored OPT {template_id:?} does not build a web template: {first}"),
        )
    })
}

/// The web template as compact JSON.
pub(crate) fn to_json(template_id: &str, web_template: &impl serde::Serialize) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(web_template).map_err(|e| {
        ApiError::internal(
            "internal error: the web template could not be encoded",
            format!("cannot encode the web template of {template_id:?}: {e}"),
        )
    })
}

/// The builder's options from the Ehrscape query parameters: `defaultLanguage=de` and
/// `languages=de,en` (also repeated: `languages=de&languages=en`). Absent or empty: the template's own.
pub(crate) fn options_from_query(query: Option<&str>) -> Options {
    let mut options = Options::default();
    for pair in query.unwrap_or("").split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(key), Some(value)) =
            (crate::negotiate::percent_decode(key, true), crate::negotiate::percent_decode(value, true))
        else {
            continue;
        };
        match key.as_str() {
            "defaultLanguage" if !value.trim().is_empty() => options.default_language = Some(value.trim().to_owned()),
            "languages" => options
                .languages
                .extend(value.split(',').map(str::trim).filter(|language| !language.is_empty()).map(str::to_owned)),
            _ => {}
        }
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_differ_from_the_opts_and_stay_quoted() {
        let tag = etag("\"abc\"");
        assert!(tag.starts_with("\"abc.wt-") && tag.ends_with('"') && tag.len() > 9, "{tag}");
    }

    #[test]
    fn languages_come_from_the_query() {
        assert_eq!(options_from_query(None), Options::default());
        let options = options_from_query(Some("defaultLanguage=de&languages=de,%20en&languages=fr&x=1"));
        assert_eq!(options.default_language.as_deref(), Some("de"));
        assert_eq!(options.languages, ["de", "en", "fr"]);
        assert_eq!(options_from_query(Some("defaultLanguage=&languages=")), Options::default());
    }
}
