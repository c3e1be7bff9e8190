//! `GET /definition/template/adl1.4/{template_id}` with `Accept: application/openehr.wt+json` (or
//! `application/json`) answers the web template the core's builder makes from the stored OPT.

use http::{Request, Response};
use openehr_definitions::web_template::{Options, web_template};
use openehr_defs_api::{Config, KvStore, MemoryStore, handle};

const FIXTURE: &str = "opt14/valid/ehrbase_integration_test__validation__clinical_content_validation.opt";
const TEMPLATE_ID: &str = "clinical_content_validation";
const PATH: &str = "/v1/definition/template/adl1.4/clinical_content_validation";

fn fixture(relative: &str) -> Vec<u8> {
    let path = format!("{}/../tests/fixtures/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn send(store: &dyn KvStore, request: http::request::Builder, body: Vec<u8>) -> Response<Vec<u8>> {
    handle(request.body(body).expect("valid request"), store, &Config::default())
}

fn get(store: &dyn KvStore, headers: &[(&str, &str)]) -> Response<Vec<u8>> {
    let mut request = Request::builder().uri(PATH);
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

/// What the builder makes of the fixture with its defaults, as JSON.
fn expected() -> serde_json::Value {
    let built = web_template(&fixture(FIXTURE), &Options::default()).expect("the fixture builds");
    serde_json::to_value(built).expect("encodes")
}

fn json(response: &Response<Vec<u8>>) -> serde_json::Value {
    serde_json::from_slice(response.body())
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(response.body())))
}

fn header<'r>(response: &'r Response<Vec<u8>>, name: &str) -> &'r str {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("no {name} header"))
}

#[test]
fn wt_json_answers_the_builders_web_template_with_its_own_etag() {
    let store = stored();
    let response = get(&store, &[("accept", "application/openehr.wt+json")]);
    assert_eq!(response.status(), 200, "{}", String::from_utf8_lossy(response.body()));
    assert_eq!(header(&response, "content-type"), "application/openehr.wt+json");
    assert_eq!(json(&response), expected());
    assert_eq!(json(&response)["templateId"], TEMPLATE_ID);
    let vary: Vec<&str> = response.headers().get_all("vary").iter().filter_map(|v| v.to_str().ok()).collect();
    assert_eq!(vary, ["Accept", "Origin"]);

    let xml = get(&store, &[]);
    assert_eq!(xml.status(), 200);
    assert_eq!(header(&xml, "content-type"), "application/xml");
    assert_eq!(xml.body(), &fixture(FIXTURE));
    let (wt_etag, xml_etag) = (header(&response, "etag"), header(&xml, "etag"));
    assert_ne!(wt_etag, xml_etag, "two representations, two strong ETags");
    assert!(wt_etag.starts_with(&xml_etag[..xml_etag.len() - 1]), "{wt_etag} derives from {xml_etag}");
}

#[test]
fn application_json_answers_the_same_document_as_json() {
    let store = stored();
    let wt = get(&store, &[("accept", "application/openehr.wt+json")]);
    let response = get(&store, &[("accept", "application/json")]);
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), "application/json");
    assert_eq!(response.body(), wt.body());
    assert_eq!(header(&response, "etag"), header(&wt, "etag"));
}

#[test]
fn the_preferred_acceptable_representation_is_chosen() {
    let store = stored();
    let pick = |accept: &str| header(&get(&store, &[("accept", accept)]), "content-type").to_owned();
    assert_eq!(pick("application/openehr.wt+json, */*;q=0.1"), "application/openehr.wt+json");
    assert_eq!(pick("application/openehr.wt+json;q=0.5, application/xml"), "application/xml");
    assert_eq!(pick("text/xml"), "application/xml");
    assert_eq!(pick("*/*"), "application/xml");
    assert_eq!(pick("application/xml;q=0, application/*"), "application/openehr.wt+json");
}

#[test]
fn if_none_match_with_the_web_templates_etag_is_304_without_a_body() {
    let store = stored();
    let first = get(&store, &[("accept", "application/openehr.wt+json")]);
    let etag = header(&first, "etag").to_owned();
    let again = get(&store, &[("accept", "application/openehr.wt+json"), ("if-none-match", &etag)]);
    assert_eq!(again.status(), 304);
    assert!(again.body().is_empty());
    assert_eq!(header(&again, "etag"), etag);
    // The XML's ETag does not revalidate the web template, nor the other way round.
    let xml_etag = header(&get(&store, &[]), "etag").to_owned();
    let other = get(&store, &[("accept", "application/openehr.wt+json"), ("if-none-match", &xml_etag)]);
    assert_eq!(other.status(), 200);
    let xml = get(&store, &[("accept", "application/xml"), ("if-none-match", &etag)]);
    assert_eq!(xml.status(), 200);
}

#[test]
fn only_what_cannot_be_produced_is_406_and_unknown_ids_are_404() {
    let store = stored();
    let response = get(&store, &[("accept", "text/plain")]);
    assert_eq!(response.status(), 406);
    assert_eq!(
        json(&response)["message"],
        "this route answers with application/xml or text/xml or application/openehr.wt+json or application/json only"
    );
    let missing = send(
        &store,
        Request::builder()
            .uri("/v1/definition/template/adl1.4/no.such")
            .header("accept", "application/openehr.wt+json"),
        Vec::new(),
    );
    assert_eq!(missing.status(), 404);
    assert_eq!(header(&missing, "content-type"), "application/json");
}

/// The key the first GET caches the web template under: `wt/{the OPT's SHA-256}.{builder version}`.
fn cached_keys(store: &MemoryStore) -> Vec<String> {
    store.keys().into_iter().filter(|k| k.starts_with("wt/")).collect()
}

#[test]
fn the_first_get_caches_the_web_template_and_later_gets_serve_the_cache() {
    let store = stored();
    assert!(cached_keys(&store).is_empty(), "nothing is built at upload");
    let first = get(&store, &[("accept", "application/openehr.wt+json")]);
    let keys = cached_keys(&store);
    assert_eq!(keys.len(), 1, "{keys:?}");
    let xml_etag = header(&get(&store, &[]), "etag").trim_matches('"').to_owned();
    assert_eq!(keys[0], format!("wt/{xml_etag}.{}", env!("CARGO_PKG_VERSION")));
    assert_eq!(store.get(&keys[0]).unwrap().as_deref(), Some(first.body().as_slice()));
    // Served from the cache: a planted value comes back as it is.
    store.set(&keys[0], br#"{"planted":true}"#).unwrap();
    let second = get(&store, &[("accept", "application/openehr.wt+json")]);
    assert_eq!(second.body(), br#"{"planted":true}"#);
}

#[test]
fn a_web_template_over_the_value_limit_is_cached_in_chunks() {
    let store = MemoryStore::new();
    let config = Config { max_value_bytes: 4096, ..Config::default() };
    let upload = Request::builder()
        .method("POST")
        .uri("/v1/definition/template/adl1.4")
        .header("content-type", "application/xml")
        .body(fixture(FIXTURE))
        .unwrap();
    assert_eq!(handle(upload, &store, &config).status(), 201);
    let request = || Request::builder().uri(PATH).header("accept", "application/json").body(Vec::new()).unwrap();
    let first = handle(request(), &store, &config);
    assert_eq!(first.status(), 200);
    assert_eq!(json(&first), expected());
    let keys = cached_keys(&store);
    let value = store.get(&keys[0]).unwrap().expect("cached");
    assert_eq!(value.first(), Some(&b'M'), "a manifest, not the JSON itself");
    assert!(store.keys().iter().all(|k| store.get(k).unwrap().is_none_or(|v| v.len() <= 4096)));
    let again = handle(request(), &store, &config);
    assert_eq!(again.body(), first.body());
}
