//! Arbitrary request sequences through the Definitions API over one in-memory store: never a
//! panic, never a 5xx (the memory store never fails), and every error answer is the JSON
//! `{message, validationErrors}` shape. Paths start from the real routes so the fuzzer reaches
//! the handlers; bodies are arbitrary bytes or real fixtures with arbitrary edits.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use openehr_defs_api::{Config, MemoryStore, handle};

const ROUTES: &[&str] = &[
    "/v1/definition/template/adl1.4",
    "/v1/definition/template/adl1.4/",
    "/v1/definition/template/adl2",
    "/v1/definition/template/adl2/",
    "/v1/definition/query/",
    "/v1/definition/query/org.openehr::q",
    "/v1/definition/query/org.openehr::q/1.0.0",
    "/healthz",
    "/",
];
const METHODS: &[&str] = &["GET", "POST", "PUT", "OPTIONS", "DELETE", "HEAD", "PATCH"];
const HEADERS: &[&str] = &["content-type", "accept", "prefer", "if-none-match", "authorization", "origin"];
const OPT: &[u8] = include_bytes!("../../tests/fixtures/opt14/valid/ehrbase_integration_test__opt__minimal_action.opt");
const ADL2: &[u8] = include_bytes!(
    "../../tests/fixtures/adl2/openehr_archie__flattener__openEHR-EHR-COMPOSITION.blood_pressure.v1.0.0.adlt"
);

#[derive(Arbitrary, Debug)]
enum Body {
    Bytes(Vec<u8>),
    /// A real artefact with `len` bytes from `at` replaced by `with`.
    Edited {
        adl2: bool,
        at: u16,
        len: u8,
        with: Vec<u8>,
    },
}

#[derive(Arbitrary, Debug)]
struct Req {
    method: u8,
    route: u8,
    tail: String,
    query: Option<String>,
    headers: Vec<(u8, String)>,
    body: Body,
}

fn body(body: Body) -> Vec<u8> {
    match body {
        Body::Bytes(bytes) => bytes,
        Body::Edited { adl2, at, len, with } => {
            let mut bytes = if adl2 { ADL2 } else { OPT }.to_vec();
            let at = usize::from(at) % (bytes.len() + 1);
            let end = (at + usize::from(len)).min(bytes.len());
            bytes.splice(at..end, with);
            bytes
        }
    }
}

fuzz_target!(|requests: Vec<Req>| {
    let store = MemoryStore::new();
    let config = Config { write_token: None, ..Config::default() };
    for req in requests.into_iter().take(8) {
        let mut uri = format!("{}{}", ROUTES[usize::from(req.route) % ROUTES.len()], req.tail);
        if let Some(query) = req.query {
            uri.push('?');
            uri.push_str(&query);
        }
        let mut builder = http::Request::builder().method(METHODS[usize::from(req.method) % METHODS.len()]).uri(uri);
        for (name, value) in req.headers.iter().take(6) {
            builder = builder.header(HEADERS[usize::from(*name) % HEADERS.len()], value.as_str());
        }
        // Only requests `http` itself accepts can reach a host; the rest never get here.
        let Ok(request) = builder.body(body(req.body)) else { continue };
        let response = handle(request, &store, &config);
        let status = response.status();
        assert!(!status.is_server_error(), "{status}");
        if status.is_client_error() {
            let error: serde_json::Value = serde_json::from_slice(response.body()).expect("error body is JSON");
            assert!(error["message"].is_string() && error["validationErrors"].is_array(), "{error}");
            assert!(error["diagnostics"].is_array(), "{error}");
            assert_eq!(error["error"].as_str(), status.canonical_reason(), "{error}");
        }
    }
});
