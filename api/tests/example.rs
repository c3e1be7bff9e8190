//! `GET /definition/template/adl1.4/{template_id}/example` and Ehrscape's `GET /template/{templateId}/example`
//! answer the core's example of the stored template's web template.

use http::{Request, Response};
use openehr_definitions::example::{DetailLevel, ExampleFormat, ExampleKind, ExampleOptions, example};
use openehr_definitions::web_template::{Options, web_template};
use openehr_defs_api::{Config, KvStore, MemoryStore, handle};

const FIXTURE: &str = "opt14/valid/ehrbase_integration_test__minimal__minimal_observation.opt";
const PATH: &str = "/v1/definition/template/adl1.4/minimal_observation.en.v1/example";
const EHRSCAPE: &str = "/rest/v1/template/minimal_observation.en.v1/example";

fn fixture(relative: &str) -> Vec<u8> {
    let path = format!("{}/../tests/fixtures/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn config() -> Config {
    Config { ehrscape_base_path: Some("/rest/v1".to_owned()), ..Config::default() }
}

fn send(store: &dyn KvStore, request: http::request::Builder, body: Vec<u8>) -> Response<Vec<u8>> {
    handle(request.body(body).expect("valid request"), store, &config())
}

fn get(store: &dyn KvStore, uri: &str, headers: &[(&str, &str)]) -> Response<Vec<u8>> {
    let mut request = Request::builder().uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(store, request, Vec::new())
}

fn stored() -> MemoryStore {
    let store = MemoryStore::new();
    let upload = Request::builder()
        .method("POST")
        .uri("/v1/definition/template/adl1.4")
        .header("content-type", "application/xml");
    let response = send(&store, upload, fixture(FIXTURE));
    assert_eq!(response.status(), 201, "{}", String::from_utf8_lossy(response.body()));
    store
}

/// What the core makes of the fixture.
fn expected(format: ExampleFormat, options: &ExampleOptions) -> String {
    let wt = web_template(&fixture(FIXTURE), &Options::default()).expect("the fixture builds");
    example(&wt, format, options)
}

fn header<'r>(response: &'r Response<Vec<u8>>, name: &str) -> &'r str {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("no {name} header"))
}

fn body(response: &Response<Vec<u8>>) -> &str {
    std::str::from_utf8(response.body()).expect("UTF-8")
}

fn message(response: &Response<Vec<u8>>) -> String {
    let error: serde_json::Value = serde_json::from_slice(response.body()).expect("a JSON error");
    error["message"].as_str().expect("a message").to_owned()
}

#[test]
fn each_accept_answers_its_format_and_no_accept_canonical_json() {
    let store = stored();
    let defaults = ExampleOptions::default();
    for format in ExampleFormat::ALL {
        let response = get(&store, PATH, &[("accept", format.media_type())]);
        assert_eq!(response.status(), 200, "{}", body(&response));
        assert_eq!(header(&response, "content-type"), format.media_type());
        assert_eq!(header(&response, "vary"), "Accept");
        assert_eq!(body(&response), expected(format, &defaults), "{format:?}");
    }
    for accept in [None, Some("*/*")] {
        let headers: Vec<(&str, &str)> = accept.map(|a| ("accept", a)).into_iter().collect();
        let response = get(&store, PATH, &headers);
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "content-type"), "application/json");
        assert_eq!(body(&response), expected(ExampleFormat::Canonical, &defaults));
    }
}

#[test]
fn type_and_detail_level_reach_the_core() {
    let store = stored();
    let response = get(
        &store,
        &format!("{PATH}?type=output&detail_level=COMPLETE"),
        &[("accept", "application/openehr.wt.flat+json")],
    );
    assert_eq!(response.status(), 200, "{}", body(&response));
    let options = ExampleOptions { kind: ExampleKind::Output, detail: DetailLevel::Complete, language: None };
    assert_eq!(body(&response), expected(ExampleFormat::Flat, &options));
    assert_ne!(body(&response), expected(ExampleFormat::Flat, &ExampleOptions::default()));
}

#[test]
fn the_format_alias_wins_over_accept() {
    let store = stored();
    for (name, format) in [
        ("FLAT", ExampleFormat::Flat),
        ("structured", ExampleFormat::Structured),
        ("JSON", ExampleFormat::Canonical),
        ("XML", ExampleFormat::Xml),
    ] {
        let response = get(&store, &format!("{PATH}?format={name}"), &[("accept", "text/plain")]);
        assert_eq!(response.status(), 200, "{name}: {}", body(&response));
        assert_eq!(header(&response, "content-type"), format.media_type());
        assert_eq!(body(&response), expected(format, &ExampleOptions::default()));
    }
}

#[test]
fn etag_revalidates_and_changes_with_the_parameters() {
    let store = stored();
    let first = get(&store, PATH, &[]);
    let etag = header(&first, "etag").to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert_eq!(header(&get(&store, PATH, &[]), "etag"), etag, "stable");
    let revalidated = get(&store, PATH, &[("if-none-match", &etag)]);
    assert_eq!(revalidated.status(), 304);
    assert!(revalidated.body().is_empty());
    assert_eq!(header(&revalidated, "etag"), etag);
    for other in ["?type=output", "?detail_level=medium", "?format=FLAT"] {
        let response = get(&store, &format!("{PATH}{other}"), &[("if-none-match", &etag)]);
        assert_eq!(response.status(), 200, "{other}");
        assert_ne!(header(&response, "etag"), etag, "{other}");
    }
    let opt = get(&store, "/v1/definition/template/adl1.4/minimal_observation.en.v1", &[]);
    assert_ne!(header(&opt, "etag"), etag, "not the OPT's");
}

#[test]
fn bad_parameters_are_400_with_the_parameter_named() {
    let store = stored();
    for (query, wanted) in [
        ("type=sideways", "the parameter type must be input or output, not \"sideways\""),
        ("detail_level=all", "the parameter detail_level must be required, medium or complete, not \"all\""),
        ("format=PDF", "the parameter format must be FLAT, STRUCTURED, JSON or XML, not \"PDF\""),
        ("type=", "the parameter type must be input or output, not \"\""),
    ] {
        let response = get(&store, &format!("{PATH}?{query}"), &[]);
        assert_eq!(response.status(), 400, "{query}");
        assert_eq!(header(&response, "content-type"), "application/json");
        assert_eq!(message(&response), wanted);
    }
}

#[test]
fn unknown_template_404_and_unacceptable_accept_406() {
    let store = stored();
    let missing = get(&store, "/v1/definition/template/adl1.4/no%20such/example", &[]);
    assert_eq!(missing.status(), 404);
    assert_eq!(message(&missing), "no ADL 1.4 template with template_id \"no such\"");
    let refused = get(&store, PATH, &[("accept", "text/plain")]);
    assert_eq!(refused.status(), 406);
    assert!(message(&refused).starts_with("this route answers with application/json or"), "{}", body(&refused));
    let refused = get(&store, PATH, &[("accept", "application/json;q=0, application/openehr.wt+json")]);
    assert_eq!(refused.status(), 406);
}

#[test]
fn ehrscape_answers_flat_by_default_and_reads_its_own_parameters() {
    let store = stored();
    let response = get(&store, EHRSCAPE, &[]);
    assert_eq!(response.status(), 200, "{}", body(&response));
    assert_eq!(header(&response, "content-type"), "application/openehr.wt.flat+json");
    assert_eq!(body(&response), expected(ExampleFormat::Flat, &ExampleOptions::default()));

    let response = get(&store, &format!("{EHRSCAPE}?format=STRUCTURED&exampleFilter=OUTPUT&defaultLanguage=en"), &[]);
    assert_eq!(response.status(), 200, "{}", body(&response));
    assert_eq!(header(&response, "content-type"), "application/openehr.wt.structured+json");
    let options = ExampleOptions { kind: ExampleKind::Output, language: Some("en".into()), ..Default::default() };
    assert_eq!(body(&response), expected(ExampleFormat::Structured, &options));
    let etag = header(&response, "etag").to_owned();
    let uri = format!("{EHRSCAPE}?format=STRUCTURED&exampleFilter=OUTPUT&defaultLanguage=en");
    assert_eq!(get(&store, &uri, &[("if-none-match", &etag)]).status(), 304);

    let bad = get(&store, &format!("{EHRSCAPE}?exampleFilter=BOTH"), &[]);
    assert_eq!(bad.status(), 400);
    assert_eq!(message(&bad), "the parameter exampleFilter must be INPUT or OUTPUT, not \"BOTH\"");
    let bad = get(&store, &format!("{EHRSCAPE}?format=RAW"), &[]);
    assert_eq!(bad.status(), 400);
    let missing = get(&store, "/rest/v1/template/nope/example", &[]);
    assert_eq!(missing.status(), 404);
    assert_eq!(header(&missing, "content-type"), "application/json");
}

#[test]
fn the_web_template_cache_is_filled_and_answers_the_same() {
    let store = stored();
    let example = get(&store, PATH, &[]);
    assert_eq!(example.status(), 200);
    // The example filled the web template cache; the web template GET reads it and still equals the builder's.
    let wt = get(
        &store,
        "/v1/definition/template/adl1.4/minimal_observation.en.v1",
        &[("accept", "application/openehr.wt+json")],
    );
    assert_eq!(wt.status(), 200);
    let built = web_template(&fixture(FIXTURE), &Options::default()).expect("builds");
    assert_eq!(wt.body(), &serde_json::to_vec(&built).expect("encodes"));
    assert_eq!(body(&get(&store, PATH, &[])), body(&example));
}
