//! The Ehrscape-compatible template routes under `/rest/v1`: the same store, upload step and errors as
//! the standard API, Better's response shapes.

use http::{Request, Response};
use openehr_definitions::web_template::{Options, web_template};
use openehr_defs_api::{Config, KvStore, MemoryStore, handle};
use serde_json::{Value, json};

const FIXTURE: &str = "opt14/valid/ehrbase_integration_test__validation__clinical_content_validation.opt";
const ID: &str = "clinical_content_validation";
const INVALID: &str =
    "opt14/invalid/ehrbase_integration_test__removed_mandatory_elements__minimal_action_removed_concept.opt";

fn fixture(relative: &str) -> Vec<u8> {
    let path = format!("{}/../tests/fixtures/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn send_with(
    store: &dyn KvStore,
    config: &Config,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Response<Vec<u8>> {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    handle(request.body(body).expect("valid request"), store, config)
}

fn send(store: &dyn KvStore, method: &str, uri: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Response<Vec<u8>> {
    send_with(store, &Config::default(), method, uri, headers, body)
}

fn get(store: &dyn KvStore, uri: &str) -> Response<Vec<u8>> {
    send(store, "GET", uri, &[], Vec::new())
}

fn post_opt(store: &dyn KvStore, body: Vec<u8>) -> Response<Vec<u8>> {
    send(store, "POST", "/rest/v1/template", &[("content-type", "application/xml")], body)
}

fn body(response: &Response<Vec<u8>>) -> Value {
    serde_json::from_slice(response.body())
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(response.body())))
}

fn header<'r>(response: &'r Response<Vec<u8>>, name: &str) -> &'r str {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("no {name} header"))
}

fn built(options: &Options) -> Value {
    serde_json::to_value(web_template(&fixture(FIXTURE), options).expect("builds")).expect("encodes")
}

#[test]
fn an_empty_store_lists_no_templates() {
    let response = get(&MemoryStore::new(), "/rest/v1/template");
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), "application/json");
    assert_eq!(body(&response), json!({"templates": []}));
}

#[test]
fn an_upload_answers_better_s_create_and_is_visible_through_both_apis() {
    let store = MemoryStore::new();
    let response = post_opt(&store, fixture(FIXTURE));
    assert_eq!(response.status(), 201, "{}", String::from_utf8_lossy(response.body()));
    assert_eq!(body(&response), json!({"action": "CREATE", "templateId": ID}));
    assert_eq!(header(&response, "location"), format!("/rest/v1/template/{ID}"));

    let standard = get(&store, &format!("/v1/definition/template/adl1.4/{ID}"));
    assert_eq!(standard.status(), 200);
    assert_eq!(standard.body(), &fixture(FIXTURE));
    assert_eq!(header(&response, "etag"), header(&standard, "etag"));

    let listed = body(&get(&store, "/v1/definition/template/adl1.4"));
    let item = &listed[0];
    assert_eq!(
        body(&get(&store, "/rest/v1/template")),
        json!({"templates": [{"templateId": ID, "createdOn": item["created_timestamp"],
            "concept": item["concept"], "archetypeId": item["archetype_id"]}]})
    );

    let opt = get(&store, &format!("/rest/v1/template/{ID}/opt"));
    assert_eq!(opt.status(), 200);
    assert_eq!(header(&opt, "content-type"), "application/xml");
    assert_eq!(opt.body(), &fixture(FIXTURE));
}

#[test]
fn a_template_uploaded_through_the_standard_api_is_listed_by_ehrscape() {
    let store = MemoryStore::new();
    let upload = send(
        &store,
        "POST",
        "/v1/definition/template/adl1.4",
        &[("content-type", "application/xml")],
        fixture(FIXTURE),
    );
    assert_eq!(upload.status(), 201);
    let listed = body(&get(&store, "/rest/v1/template"));
    assert_eq!(listed["templates"][0]["templateId"], ID);
}

#[test]
fn the_web_template_is_wrapped_with_its_href_and_honours_the_languages() {
    let store = MemoryStore::new();
    assert_eq!(post_opt(&store, fixture(FIXTURE)).status(), 201);
    let response = get(&store, &format!("/rest/v1/template/{ID}"));
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), "application/json");
    assert_eq!(
        body(&response),
        json!({"meta": {"href": format!("/rest/v1/template/{ID}")}, "webTemplate": built(&Options::default())})
    );
    let with_languages = get(&store, &format!("/rest/v1/template/{ID}?defaultLanguage=en&languages=en,de"));
    let options = Options { default_language: Some("en".into()), languages: vec!["en".into(), "de".into()] };
    assert_eq!(body(&with_languages)["webTemplate"], built(&options));
}

#[test]
fn errors_have_the_standard_statuses_and_body() {
    let store = MemoryStore::new();
    assert_eq!(post_opt(&store, fixture(FIXTURE)).status(), 201);
    let again = post_opt(&store, fixture(FIXTURE));
    assert_eq!(again.status(), 409);
    assert_eq!(body(&again)["error"], "Conflict");
    assert_eq!(body(&again)["message"], format!("an ADL 1.4 template with template_id \"{ID}\" already exists"));

    let invalid = post_opt(&store, fixture(INVALID));
    assert_eq!(invalid.status(), 400);
    assert_eq!(body(&invalid)["error"], "Bad Request");
    assert!(!body(&invalid)["validationErrors"].as_array().expect("array").is_empty());

    let not_xml = send(&store, "POST", "/rest/v1/template", &[("content-type", "application/json")], b"{}".to_vec());
    assert_eq!(not_xml.status(), 415);

    for path in ["/rest/v1/template/no.such", "/rest/v1/template/no.such/opt", "/rest/v1/template/x/example"] {
        let missing = get(&store, path);
        assert_eq!(missing.status(), 404, "{path}");
        assert_eq!(body(&missing)["error"], "Not Found", "{path}");
    }
    let not_acceptable = send(&store, "GET", "/rest/v1/template", &[("accept", "application/xml")], Vec::new());
    assert_eq!(not_acceptable.status(), 406);
    let delete = send(&store, "DELETE", &format!("/rest/v1/template/{ID}"), &[], Vec::new());
    assert_eq!(delete.status(), 405, "deletes are off by default");
    assert_eq!(header(&delete, "allow"), "GET, OPTIONS");
}

#[test]
fn writes_need_the_token_and_answers_carry_cors_headers() {
    let store = MemoryStore::new();
    let config = Config { write_token: Some("s3cret".into()), ..Config::default() };
    let xml = ("content-type", "application/xml");
    let anonymous = send_with(&store, &config, "POST", "/rest/v1/template", &[xml], fixture(FIXTURE));
    assert_eq!(anonymous.status(), 401);
    let authorised = [xml, ("authorization", "Bearer s3cret"), ("origin", "https://example.org")];
    let created = send_with(&store, &config, "POST", "/rest/v1/template", &authorised, fixture(FIXTURE));
    assert_eq!(created.status(), 201);
    assert_eq!(header(&created, "access-control-allow-origin"), "*");
    let preflight = send_with(&store, &config, "OPTIONS", "/rest/v1/template", &[], Vec::new());
    assert_eq!(preflight.status(), 204);
    assert_eq!(header(&preflight, "access-control-allow-methods"), "GET, POST, OPTIONS");
}

#[test]
fn the_base_path_is_configurable_and_the_routes_can_be_switched_off() {
    let store = MemoryStore::new();
    let moved = Config { ehrscape_base_path: Some("/ehrscape/rest/v1/".into()), ..Config::default() };
    assert_eq!(send_with(&store, &moved, "GET", "/ehrscape/rest/v1/template", &[], Vec::new()).status(), 200);
    assert_eq!(send_with(&store, &moved, "GET", "/rest/v1/template", &[], Vec::new()).status(), 404);
    let off = Config { ehrscape_base_path: None, ..Config::default() };
    assert_eq!(send_with(&store, &off, "GET", "/rest/v1/template", &[], Vec::new()).status(), 404);
    // Both families under one base path (Spin mounts both under each of its routes).
    let shared = Config { ehrscape_base_path: Some("/v1".into()), ..Config::default() };
    assert_eq!(send_with(&store, &shared, "GET", "/v1/template", &[], Vec::new()).status(), 200);
    assert_eq!(send_with(&store, &shared, "GET", "/v1/definition/template/adl1.4", &[], Vec::new()).status(), 200);
}
