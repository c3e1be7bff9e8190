//! Example compositions of stored ADL 1.4 templates, built by the core
//! ([`openehr_definitions::example`]) from the template's web template:
//!
//! - standard (master, SPECITS-58): `GET /definition/template/adl1.4/{template_id}/example` with
//!   `type=input|output` (default `input`), `detail_level=required|medium|complete` (default `required`)
//!   and the format by `Accept`: `application/json` (canonical RM JSON, also for no `Accept` or `*/*`: the
//!   one representation the spec's 200 response documents), `application/xml` (canonical RM XML),
//!   `application/openehr.wt.flat+json` (FLAT), `application/openehr.wt.structured+json` (STRUCTURED).
//!   `format=FLAT|STRUCTURED|JSON|XML` (EHRbase's clients) is an alias that wins over `Accept`.
//! - Ehrscape: `GET /template/{templateId}/example?format=FLAT|STRUCTURED|JSON|XML&exampleFilter=INPUT|OUTPUT&defaultLanguage=`
//!   (FLAT and INPUT by default).
//!
//! Parameter values are read in any case; a value that is none of the listed ones is a 400 naming the
//! parameter and the values it takes. The answer's `ETag` hashes the OPT's ETag, the builder version and
//! every parameter, so a revalidation (304) is answered before anything is read or built. The example is
//! built per request from the stored OPT's web template (built once for the request; its JSON cache is
//! filled on the way, like the web template GET does).

use crate::answer;
use crate::blob::sha256_hex;
use crate::error::ApiError;
use crate::negotiate::{preferred, query_param};
use crate::opt14;
use crate::router::Ctx;
use crate::web_template;
use http::header::VARY;
use http::{HeaderValue, Response, StatusCode};
use openehr_definitions::example::{DetailLevel, ExampleFormat, ExampleKind, ExampleOptions, example};

/// What the standard route answers with, the spec's default (canonical JSON) first.
pub(crate) const REPRESENTATIONS: &[&str] = &[
    "application/json",
    "application/xml",
    "application/openehr.wt.flat+json",
    "application/openehr.wt.structured+json",
];

/// `GET /definition/template/adl1.4/{template_id}/example`.
pub(crate) fn get(ctx: &Ctx, template_id: &str) -> Result<Response<Vec<u8>>, ApiError> {
    let query = ctx.request.uri().query();
    let format = match param(query, "format", ExampleFormat::from_name, "FLAT, STRUCTURED, JSON or XML")? {
        Some(format) => format,
        None => preferred(ctx.request.headers(), REPRESENTATIONS).and_then(ExampleFormat::from_media_type).ok_or_else(
            || {
                ApiError::new(
                    StatusCode::NOT_ACCEPTABLE,
                    format!("this route answers with {} only", REPRESENTATIONS.join(" or ")),
                )
            },
        )?,
    };
    let kind = param(query, "type", ExampleKind::from_name, "input or output")?.unwrap_or_default();
    let detail =
        param(query, "detail_level", DetailLevel::from_name, "required, medium or complete")?.unwrap_or_default();
    let mut response = answer(ctx, template_id, format, ExampleOptions { kind, detail, language: None })?;
    // The representation depends on Accept: caches must key on it.
    response.headers_mut().append(VARY, HeaderValue::from_static("Accept"));
    Ok(response)
}

/// Ehrscape `GET /template/{templateId}/example`.
pub(crate) fn get_ehrscape(ctx: &Ctx, template_id: &str) -> Result<Response<Vec<u8>>, ApiError> {
    let query = ctx.request.uri().query();
    let format = param(query, "format", ExampleFormat::from_name, "FLAT, STRUCTURED, JSON or XML")?
        .unwrap_or(ExampleFormat::Flat);
    let kind = param(query, "exampleFilter", ExampleKind::from_name, "INPUT or OUTPUT")?.unwrap_or_default();
    let language = query_param(query, "defaultLanguage")
        .map(|language| language.trim().to_owned())
        .filter(|language| !language.is_empty());
    answer(ctx, template_id, format, ExampleOptions { kind, detail: DetailLevel::default(), language })
}

/// The value of query parameter `name` read by `parse`: `None` when absent, 400 when `parse` refuses it.
fn param<T>(
    query: Option<&str>,
    name: &str,
    parse: impl Fn(&str) -> Option<T>,
    values: &str,
) -> Result<Option<T>, ApiError> {
    let Some(value) = query_param(query, name) else { return Ok(None) };
    parse(value.trim())
        .map(Some)
        .ok_or_else(|| ApiError::invalid(format!("the parameter {name} must be {values}, not {value:?}"), vec![]))
}

/// 200 with the example (or 304), for the stored template `template_id` (400 malformed, 404 absent).
fn answer(
    ctx: &Ctx,
    template_id: &str,
    format: ExampleFormat,
    options: ExampleOptions,
) -> Result<Response<Vec<u8>>, ApiError> {
    let template = opt14::stored(ctx, template_id)?;
    let opt_etag = template.etag().to_owned();
    let etag = etag(&opt_etag, format, &options);
    let layout = ctx.layout();
    answer::stored_body(ctx.request.headers(), &etag, format.media_type(), move || {
        let built = web_template::default_built(layout, template_id, &opt_etag, move || template.body())?;
        Ok::<_, ApiError>(example(&built, format, &options).into_bytes())
    })
}

/// The strong ETag of an example: a hash of the OPT's ETag, the builder version and the parameters.
fn etag(opt_etag: &str, format: ExampleFormat, options: &ExampleOptions) -> String {
    let language = options.language.as_deref().unwrap_or("");
    let parts = [
        opt_etag,
        env!("CARGO_PKG_VERSION"),
        format.media_type(),
        options.kind.name(),
        options.detail.name(),
        language,
    ];
    format!("\"{}\"", sha256_hex(parts.join("\n").as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_differ_by_every_parameter() {
        let base = ExampleOptions::default();
        let tags = [
            etag("\"a\"", ExampleFormat::Flat, &base),
            etag("\"b\"", ExampleFormat::Flat, &base),
            etag("\"a\"", ExampleFormat::Xml, &base),
            etag("\"a\"", ExampleFormat::Flat, &ExampleOptions { kind: ExampleKind::Output, ..base.clone() }),
            etag("\"a\"", ExampleFormat::Flat, &ExampleOptions { detail: DetailLevel::Complete, ..base.clone() }),
            etag("\"a\"", ExampleFormat::Flat, &ExampleOptions { language: Some("de".into()), ..base.clone() }),
        ];
        for (i, a) in tags.iter().enumerate() {
            assert!(a.starts_with('"') && a.ends_with('"'));
            assert!(tags[i + 1..].iter().all(|b| a != b), "{a}");
        }
    }

    #[test]
    fn bad_values_name_the_parameter() {
        let error = param(Some("type=sideways"), "type", ExampleKind::from_name, "input or output").unwrap_err();
        assert_eq!(error.status, StatusCode::BAD_REQUEST);
        assert_eq!(error.message, "the parameter type must be input or output, not \"sideways\"");
        assert_eq!(param(Some("type=OUTPUT"), "type", ExampleKind::from_name, "").unwrap(), Some(ExampleKind::Output));
        assert_eq!(param(None, "type", ExampleKind::from_name, "").unwrap(), None);
    }
}
