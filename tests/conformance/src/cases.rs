//! The named cases, each independent of the others (its own uploads, its own template ids and query names).

use crate::Options;
use crate::fixtures::{
    decode, element_text, element_value, encode, file_name, read_dir, root_archetype_id, with_template_id,
};
use crate::transport::{Req, Resp, Transport};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

pub(crate) struct Suite<'a> {
    pub t: &'a dyn Transport,
    pub options: &'a Options,
}

type Case = fn(&Suite) -> Result<(), String>;

/// `(id, description, case)`: the id names the case (a `#[test]` in `tests/suite.rs`, `conformance --case ID`).
/// Each case makes its own uploads under its own template ids and query names, so any subset runs in any order
/// on one store, except `store_is_empty`, which needs an empty store and so runs first in [`crate::run_all`].
pub(crate) const ALL: &[(&str, &str, Case)] = &[
    ("store_is_empty", "store is empty", store_is_empty),
    ("healthz", "healthz answers ok", healthz),
    (
        "upload_valid_fixtures",
        "every valid OPT fixture uploads (201, or 409 for a repeated template_id)",
        upload_valid_fixtures,
    ),
    (
        "upload_invalid_fixtures",
        "every invalid OPT fixture is refused with its diagnostic code",
        upload_invalid_fixtures,
    ),
    ("list_templates", "list holds every uploaded template, sorted, with the spec's fields", list_templates),
    ("get_byte_identical", "every template comes back byte for byte with its ETag", get_byte_identical),
    ("four_megabyte_round_trip", "a 4 MB OPT round-trips byte for byte", four_megabyte_round_trip),
    ("etag_not_modified", "If-None-Match with the ETag answers 304", etag_not_modified),
    ("prefer_variants", "Prefer return=representation and return=identifier", prefer_variants),
    ("unicode_template_id", "template ids with spaces and non-ASCII letters", unicode_template_id),
    ("malformed_template_ids", "malformed template ids are 400 with ID codes", malformed_template_ids),
    ("not_acceptable", "an unacceptable Accept is 406", not_acceptable),
    ("web_template", "Accept wt+json or json answers the web template, with its own ETag and 304", web_template),
    ("ehrscape_templates", "Ehrscape /rest/v1/template: upload, list, web template, OPT", ehrscape_templates),
    ("examples", "example compositions: standard /example by Accept or format=, Ehrscape /example", examples),
    ("unsupported_media_type", "a body that is not XML is 415", unsupported_media_type),
    ("payload_too_large", "a body over the limit is 413", payload_too_large),
    ("not_found", "unknown templates and routes are 404", not_found),
    ("method_not_allowed", "wrong methods are 405 with Allow", method_not_allowed),
    ("cors", "CORS preflight and exposed headers", cors),
    ("write_token", "writes need the bearer token (401)", write_token),
    ("adl2", "ADL 2 upload, list and SEMVER resolution", adl2),
    ("stored_queries", "stored queries: PUT with versions, GET by pattern and prefix", stored_queries),
    ("bad_query_input", "bad query names and versions are 400", bad_query_input),
    ("concurrent_template_posts", "16 concurrent POSTs of one template: exactly one 201", concurrent_template_posts),
    ("concurrent_query_puts", "16 concurrent PUTs of one query: 16 distinct versions", concurrent_query_puts),
];

// ---------------------------------------------------------------- helpers

pub(crate) fn get(path: &str) -> Req {
    Req { method: "GET".into(), path: path.into(), ..Req::default() }
}

pub(crate) fn with_body(method: &str, path: &str, content_type: &str, body: impl Into<Vec<u8>>) -> Req {
    Req {
        method: method.into(),
        path: path.into(),
        headers: vec![("Content-Type".into(), content_type.into())],
        body: body.into(),
        ..Req::default()
    }
}

pub(crate) fn post_xml(body: impl Into<Vec<u8>>) -> Req {
    with_body("POST", "/definition/template/adl1.4", "application/xml", body)
}

/// Sets a header, replacing any earlier value of it.
fn header(mut req: Req, name: &str, value: &str) -> Req {
    req.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    req.headers.push((name.into(), value.into()));
    req
}

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

impl Suite<'_> {
    /// Sends, adding the bearer token to writes when the server has one.
    pub(crate) fn send(&self, mut req: Req) -> Result<Resp, String> {
        let write = req.method == "POST" || req.method == "PUT";
        let has_auth = req.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("authorization"));
        if let (true, false, Some(token)) = (write, has_auth, &self.options.write_token) {
            req.headers.push(("Authorization".into(), format!("Bearer {token}")));
        }
        self.t.send(&req).map_err(|e| format!("{} {}: {e}", req.method, req.path))
    }

    pub(crate) fn expect(&self, req: Req, status: u16) -> Result<Resp, String> {
        let what = format!("{} {}", req.method, req.path);
        let resp = self.send(req)?;
        ensure!(
            resp.status == status,
            "{what}: expected {status}, got {} {}",
            resp.status,
            String::from_utf8_lossy(&resp.body[..resp.body.len().min(400)])
        );
        Ok(resp)
    }

    pub(crate) fn location(&self, suffix: &str) -> String {
        format!("{}{suffix}", self.t.base_path().trim_end_matches('/'))
    }

    fn valid_fixtures(&self) -> Result<Vec<(String, Vec<u8>, String)>, String> {
        read_dir(&self.options.fixtures_dir.join("opt14/valid"))?
            .into_iter()
            .map(|(path, bytes)| {
                let id = element_value(&String::from_utf8_lossy(&bytes), "template_id")
                    .ok_or_else(|| format!("{}: no template_id", path.display()))?;
                Ok((file_name(&path), bytes, id))
            })
            .collect()
    }

    /// template_id → bytes of the first file (in name order) that carries it, for every valid fixture and the
    /// valid file among the invalid ones (unknown elements only warn): one of each distinct template.
    fn distinct_templates(&self) -> Result<BTreeMap<String, Vec<u8>>, String> {
        let mut map = BTreeMap::new();
        for (_, bytes, id) in self.valid_fixtures()? {
            map.entry(id).or_insert(bytes);
        }
        let alien =
            self.options.fixtures_dir.join("opt14/invalid/ehrbase_integration_test__alien_tags__minimal_action.opt");
        let bytes = std::fs::read(&alien).map_err(|e| format!("{}: {e}", alien.display()))?;
        let id = element_value(&String::from_utf8_lossy(&bytes), "template_id").ok_or("alien_tags: no template_id")?;
        map.entry(id).or_insert(bytes);
        Ok(map)
    }

    /// Uploads (expecting 201) a copy of `bytes` whose template_id is `new_id`; returns the bytes uploaded.
    fn upload_copy(&self, bytes: &[u8], new_id: &str) -> Result<Vec<u8>, String> {
        let xml = with_template_id(&String::from_utf8_lossy(bytes), new_id)?.into_bytes();
        self.expect(post_xml(xml.clone()), 201).map_err(|e| format!("uploading {new_id:?}: {e}"))?;
        Ok(xml)
    }

    /// Uploads a copy of every distinct template under the template_id `{prefix}{its own}`: this case's own
    /// templates, whatever else the store holds. Returns new template_id → bytes uploaded.
    fn upload_copies(&self, prefix: &str) -> Result<BTreeMap<String, Vec<u8>>, String> {
        self.distinct_templates()?
            .into_iter()
            .map(|(id, bytes)| {
                let new_id = format!("{prefix}{id}");
                self.upload_copy(&bytes, &new_id).map(|xml| (new_id, xml))
            })
            .collect()
    }

    /// A small valid OPT with the given template_id.
    pub(crate) fn synthetic(&self, template_id: &str) -> Result<String, String> {
        let base = self.options.fixtures_dir.join("opt14/valid/ehrbase_integration_test__opt__minimal_action.opt");
        let xml = std::fs::read_to_string(&base).map_err(|e| format!("{}: {e}", base.display()))?;
        with_template_id(&xml, template_id)
    }
}

fn error_codes(resp: &Resp) -> Result<Vec<String>, String> {
    let json = resp.json()?;
    ensure!(json.get("message").is_some_and(Value::is_string), "error body has no message: {json}");
    ensure!(json.get("error").is_some_and(Value::is_string), "error body has no error (reason phrase): {json}");
    let strings =
        json.get("validationErrors").and_then(Value::as_array).ok_or(format!("no validationErrors: {json}"))?;
    ensure!(strings.iter().all(Value::is_string), "validationErrors are not all strings: {json}");
    let errors = json.get("diagnostics").and_then(Value::as_array).ok_or(format!("no diagnostics: {json}"))?;
    ensure!(strings.len() == errors.len(), "{} validationErrors but {} diagnostics", strings.len(), errors.len());
    errors
        .iter()
        .map(|d| {
            for key in ["code", "severity", "message", "path"] {
                ensure!(d.get(key).is_some_and(Value::is_string), "diagnostic without string {key}: {d}");
            }
            for key in ["line", "column"] {
                ensure!(d.get(key).and_then(Value::as_u64).is_some(), "diagnostic without numeric {key}: {d}");
            }
            Ok(d["code"].as_str().unwrap_or_default().to_owned())
        })
        .collect()
}

fn expect_code(resp: &Resp, code: &str) -> Result<(), String> {
    let codes = error_codes(resp)?;
    ensure!(codes.iter().any(|c| c == code), "expected {code} among {codes:?}");
    Ok(())
}

fn expect_json_error(resp: &Resp) -> Result<(), String> {
    ensure!(resp.header("content-type").is_some_and(|c| c.starts_with("application/json")), "error is not JSON");
    error_codes(resp).map(|_| ())
}

// ---------------------------------------------------------------- cases

fn store_is_empty(s: &Suite) -> Result<(), String> {
    let list = s.expect(get("/definition/template/adl1.4"), 200)?.json()?;
    ensure!(list.as_array().is_some_and(Vec::is_empty), "the suite needs an empty store, found {list}");
    Ok(())
}

fn healthz(s: &Suite) -> Result<(), String> {
    let resp = s.expect(Req { from_root: true, ..get("/healthz") }, 200)?;
    ensure!(resp.body == b"ok", "body {:?}", String::from_utf8_lossy(&resp.body));
    Ok(())
}

fn upload_valid_fixtures(s: &Suite) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    for (name, bytes, id) in s.valid_fixtures()? {
        let first = seen.insert(id.clone());
        let resp = s.send(post_xml(bytes))?;
        let expected = if first { 201 } else { 409 };
        if resp.status != expected {
            problems.push(format!("{name} ({id:?}): expected {expected}, got {} {}", resp.status, body_head(&resp)));
            continue;
        }
        if first {
            let location = resp.header("location").map(decode);
            let wanted = s.location(&format!("/definition/template/adl1.4/{id}"));
            if location.as_deref() != Some(wanted.as_str()) {
                problems.push(format!("{name}: Location {location:?}, wanted {wanted:?}"));
            }
            if !resp.header("etag").is_some_and(|e| e.starts_with('"') && e.ends_with('"') && e.len() > 2) {
                problems.push(format!("{name}: no strong ETag"));
            }
            if !resp.body.is_empty() {
                problems.push(format!("{name}: return=minimal (the default) must have an empty body"));
            }
        } else if let Err(e) = expect_json_error(&resp) {
            problems.push(format!("{name}: 409 body: {e}"));
        }
    }
    ensure!(problems.is_empty(), "{} problems:\n  {}", problems.len(), problems.join("\n  "));
    Ok(())
}

pub(crate) fn body_head(resp: &Resp) -> String {
    String::from_utf8_lossy(&resp.body[..resp.body.len().min(300)]).into_owned()
}

fn upload_invalid_fixtures(s: &Suite) -> Result<(), String> {
    let table_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("expectations/opt14_invalid.tsv");
    let table = std::fs::read_to_string(&table_path).map_err(|e| format!("{}: {e}", table_path.display()))?;
    let expectations: BTreeMap<&str, (u16, &str)> = table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut cols = l.split('\t');
            Some((cols.next()?, (cols.next()?.parse().ok()?, cols.next()?)))
        })
        .collect();
    let files = read_dir(&s.options.fixtures_dir.join("opt14/invalid"))?;
    ensure!(files.len() == expectations.len(), "{} files but {} expectations", files.len(), expectations.len());
    let mut problems = Vec::new();
    for (path, bytes) in files {
        let name = file_name(&path);
        let Some(&(status, code)) = expectations.get(name.as_str()) else {
            problems.push(format!("{name}: no expectation in the table"));
            continue;
        };
        // A valid file is stored under this case's own template_id (its own may be a valid fixture's, too).
        let bytes = if status == 201 {
            let id = element_value(&String::from_utf8_lossy(&bytes), "template_id")
                .ok_or_else(|| format!("{name}: no template_id"))?;
            with_template_id(&String::from_utf8_lossy(&bytes), &format!("conformance invalid-dir {id}"))?.into_bytes()
        } else {
            bytes
        };
        let resp = s.send(post_xml(bytes))?;
        if resp.status != status {
            problems.push(format!("{name}: expected {status} {code}, got {} {}", resp.status, body_head(&resp)));
        } else if status == 400
            && let Err(e) = expect_code(&resp, code)
        {
            problems.push(format!("{name}: {e}"));
        }
    }
    ensure!(problems.is_empty(), "{} problems:\n  {}", problems.len(), problems.join("\n  "));
    Ok(())
}

fn list_templates(s: &Suite) -> Result<(), String> {
    let prefix = "conformance list ";
    let expected = s.upload_copies(prefix)?;
    let resp = s.expect(get("/definition/template/adl1.4"), 200)?;
    ensure!(resp.header("content-type").is_some_and(|c| c.starts_with("application/json")), "not JSON");
    let list = resp.json()?;
    let all = list.as_array().ok_or("not an array")?;
    ensure!(all.iter().all(|i| i["template_id"].is_string()), "an item without a string template_id in {list}");
    let all_ids: Vec<&str> = all.iter().filter_map(|i| i["template_id"].as_str()).collect();
    ensure!(all_ids.windows(2).all(|w| w[0] < w[1]), "the list is not sorted by template_id (or repeats one)");
    // This case's templates; other cases' may be listed too.
    let items: Vec<&Value> =
        all.iter().filter(|i| i["template_id"].as_str().is_some_and(|id| id.starts_with(prefix))).collect();
    let ids: Vec<&str> = items.iter().filter_map(|i| i["template_id"].as_str()).collect();
    let wanted: Vec<&str> = expected.keys().map(String::as_str).collect();
    ensure!(ids == wanted, "ids {:?}\n  wanted {:?}", ids, wanted);
    for item in items {
        for key in ["template_id", "concept", "archetype_id", "created_timestamp"] {
            ensure!(item[key].is_string(), "{key} missing in {item}");
        }
        let id = item["template_id"].as_str().unwrap_or_default();
        let xml = String::from_utf8_lossy(&expected[id]).into_owned();
        let concept = element_text(&xml, "concept");
        ensure!(
            item["concept"].as_str() == concept.as_deref(),
            "{id}: concept {} vs file {concept:?}",
            item["concept"]
        );
        let archetype = root_archetype_id(&xml);
        ensure!(item["archetype_id"].as_str() == archetype.as_deref(), "{id}: archetype_id {}", item["archetype_id"]);
        let ts = item["created_timestamp"].as_str().unwrap_or_default();
        ensure!(
            ts.len() >= 20 && ts.as_bytes()[10] == b'T' && ts.ends_with('Z'),
            "{id}: timestamp {ts:?} not RFC 3339"
        );
    }
    Ok(())
}

fn get_byte_identical(s: &Suite) -> Result<(), String> {
    let mut problems = Vec::new();
    for (id, bytes) in s.upload_copies("conformance get ")? {
        let resp = s.send(get(&format!("/definition/template/adl1.4/{}", encode(&id))))?;
        if resp.status != 200 || resp.body != bytes {
            problems.push(format!(
                "{id}: status {}, {} bytes, wanted {} bytes",
                resp.status,
                resp.body.len(),
                bytes.len()
            ));
        } else if resp.header("content-type") != Some("application/xml") || resp.header("etag").is_none() {
            problems.push(format!(
                "{id}: content-type {:?}, etag {:?}",
                resp.header("content-type"),
                resp.header("etag")
            ));
        }
    }
    ensure!(problems.is_empty(), "{} problems:\n  {}", problems.len(), problems.join("\n  "));
    Ok(())
}

fn four_megabyte_round_trip(s: &Suite) -> Result<(), String> {
    let (_, largest, _) = s.valid_fixtures()?.into_iter().max_by_key(|(_, b, _)| b.len()).ok_or("no valid fixtures")?;
    let xml = with_template_id(&String::from_utf8_lossy(&largest), "conformance four megabytes")?;
    let padding = format!("\n<!-- {} -->\n", "padding ".repeat(4 * 1024 * 1024 / 8));
    let body = format!("{xml}{padding}").into_bytes();
    ensure!(body.len() > 4 * 1024 * 1024, "synthetic OPT is only {} bytes", body.len());
    let created = s.expect(post_xml(body.clone()), 201)?;
    let resp = s.expect(get(&format!("/definition/template/adl1.4/{}", encode("conformance four megabytes"))), 200)?;
    ensure!(resp.body == body, "got {} bytes back, sent {}", resp.body.len(), body.len());
    ensure!(resp.header("etag") == created.header("etag"), "ETag of GET differs from POST's");
    Ok(())
}

fn etag_not_modified(s: &Suite) -> Result<(), String> {
    let (id, bytes) = s.distinct_templates()?.into_iter().next().ok_or("no templates")?;
    let id = format!("conformance etag {id}");
    s.upload_copy(&bytes, &id)?;
    let path = format!("/definition/template/adl1.4/{}", encode(&id));
    let first = s.expect(get(&path), 200)?;
    let etag = first.header("etag").ok_or("no ETag")?.to_owned();
    let again = s.expect(get(&path), 200)?;
    ensure!(again.header("etag") == Some(etag.as_str()), "ETag changed between GETs");
    let cached = s.expect(header(get(&path), "If-None-Match", &etag), 304)?;
    ensure!(cached.body.is_empty(), "304 with a body");
    ensure!(cached.header("etag") == Some(etag.as_str()), "304 without the ETag");
    s.expect(header(get(&path), "If-None-Match", "\"something-else\""), 200)?;
    Ok(())
}

fn prefer_variants(s: &Suite) -> Result<(), String> {
    let xml = s.synthetic("conformance.prefer.representation")?;
    let resp = s.expect(header(post_xml(xml.clone()), "Prefer", "return=representation"), 201)?;
    ensure!(resp.body == xml.as_bytes(), "return=representation did not return the stored XML");
    let xml = s.synthetic("conformance.prefer.identifier")?;
    let resp = s.expect(header(post_xml(xml), "Prefer", "return=identifier"), 201)?;
    let json = resp.json()?;
    ensure!(json["template_id"] == "conformance.prefer.identifier", "return=identifier gave {json}");
    let xml = s.synthetic("conformance.prefer.minimal")?;
    let resp = s.expect(header(post_xml(xml), "Prefer", "return=minimal"), 201)?;
    ensure!(resp.body.is_empty(), "return=minimal with a body");
    Ok(())
}

fn unicode_template_id(s: &Suite) -> Result<(), String> {
    for id in ["Conformance Stationärer Versorgungsfall", "conformance (ü) {x} & <y> #1?"] {
        let xml = s.synthetic(id)?;
        let resp = s.expect(header(post_xml(xml.clone()), "Content-Type", "text/xml; charset=UTF-8"), 201)?;
        let location = resp.header("location").ok_or("no Location")?;
        ensure!(location.is_ascii() && !location.contains(' '), "Location {location:?} is not percent-encoded");
        ensure!(decode(location) == s.location(&format!("/definition/template/adl1.4/{id}")), "Location {location}");
        let back = s.expect(get(&format!("/definition/template/adl1.4/{}", encode(id))), 200)?;
        ensure!(back.body == xml.as_bytes(), "{id}: body differs");
        s.expect(post_xml(xml), 409)?;
    }
    Ok(())
}

fn malformed_template_ids(s: &Suite) -> Result<(), String> {
    for (raw, code) in [("%20leading", "ID003"), ("tab%09inside", "ID004")] {
        let resp = s.expect(get(&format!("/definition/template/adl1.4/{raw}")), 400)?;
        expect_code(&resp, code).map_err(|e| format!("{raw}: {e}"))?;
    }
    Ok(())
}

fn not_acceptable(s: &Suite) -> Result<(), String> {
    let (id, bytes) = s.distinct_templates()?.into_iter().next().ok_or("no templates")?;
    let id = format!("conformance accept {id}");
    s.upload_copy(&bytes, &id)?;
    let path = format!("/definition/template/adl1.4/{}", encode(&id));
    let resp = s.expect(header(get(&path), "Accept", "text/plain"), 406)?;
    expect_json_error(&resp)?;
    let xml = s.expect(header(get(&path), "Accept", "application/json;q=0.9, application/xml"), 200)?;
    ensure!(
        xml.header("content-type") == Some("application/xml"),
        "q=0.9 JSON over XML: {:?}",
        xml.header("content-type")
    );
    s.expect(header(get(&path), "Accept", "*/*"), 200)?;
    Ok(())
}

fn web_template(s: &Suite) -> Result<(), String> {
    let id = "conformance.web.template";
    let xml = s.synthetic(id)?;
    s.expect(post_xml(xml.clone()), 201)?;
    let path = format!("/definition/template/adl1.4/{}", encode(id));
    let wt_accept = |req| header(req, "Accept", "application/openehr.wt+json");
    let wt = s.expect(wt_accept(get(&path)), 200)?;
    ensure!(wt.header("content-type") == Some("application/openehr.wt+json"), "{:?}", wt.header("content-type"));
    let json = wt.json()?;
    let language = element_text(&xml, "code_string").ok_or("the fixture has no language")?;
    let root = root_archetype_id(&xml).ok_or("the fixture has no root archetype")?;
    ensure!(json["templateId"] == id, "templateId: {}", json["templateId"]);
    ensure!(json["version"] == "2.3", "version: {}", json["version"]);
    ensure!(json["defaultLanguage"] == language.as_str(), "defaultLanguage: {}", json["defaultLanguage"]);
    ensure!(json["tree"]["rmType"] == "COMPOSITION", "tree.rmType: {}", json["tree"]["rmType"]);
    ensure!(json["tree"]["nodeId"] == root.as_str(), "tree.nodeId: {} (expected {root})", json["tree"]["nodeId"]);

    let plain = s.expect(header(get(&path), "Accept", "application/json"), 200)?;
    ensure!(plain.header("content-type") == Some("application/json"), "{:?}", plain.header("content-type"));
    ensure!(plain.body == wt.body, "application/json differs from application/openehr.wt+json");

    let etag = wt.header("etag").ok_or("no ETag on the web template")?.to_owned();
    let xml_etag = s.expect(get(&path), 200)?.header("etag").ok_or("no ETag on the XML")?.to_owned();
    ensure!(etag != xml_etag, "the web template and the XML share the ETag {etag}");
    let cached = s.expect(header(wt_accept(get(&path)), "If-None-Match", &etag), 304)?;
    ensure!(cached.body.is_empty(), "304 with a body");
    Ok(())
}

/// The Ehrscape routes at their default base path `/rest/v1` (the server must keep that default).
fn ehrscape_templates(s: &Suite) -> Result<(), String> {
    let id = "conformance.ehrscape";
    let xml = s.synthetic(id)?;
    let root = |path: String| Req { from_root: true, ..get(&path) };
    let upload = Req { from_root: true, ..with_body("POST", "/rest/v1/template", "application/xml", xml.clone()) };
    let created = s.expect(upload.clone(), 201)?.json()?;
    ensure!(created == serde_json::json!({"action": "CREATE", "templateId": id}), "POST answered {created}");
    s.expect(upload, 409)?;
    let standard = s.expect(get(&format!("/definition/template/adl1.4/{}", encode(id))), 200)?;
    ensure!(standard.body == xml.as_bytes(), "the standard API serves other bytes");

    let list = s.expect(root("/rest/v1/template".into()), 200)?.json()?;
    let templates = list["templates"].as_array().ok_or(format!("no templates array: {list}"))?;
    let item = templates.iter().find(|t| t["templateId"] == id).ok_or(format!("{id} not listed: {list}"))?;
    ensure!(item["createdOn"].is_string(), "no createdOn: {item}");

    let wrapped = s.expect(root(format!("/rest/v1/template/{}", encode(id))), 200)?.json()?;
    ensure!(wrapped["webTemplate"]["templateId"] == id, "webTemplate: {}", wrapped["webTemplate"]);
    let href = wrapped["meta"]["href"].as_str().ok_or(format!("no meta.href: {wrapped}"))?;
    ensure!(href.ends_with(&format!("/template/{}", encode(id))), "meta.href {href}");
    let opt = s.expect(root(format!("/rest/v1/template/{}/opt", encode(id))), 200)?;
    ensure!(opt.body == xml.as_bytes(), "/opt serves other bytes");
    s.expect(root("/rest/v1/template/conformance.ehrscape.missing".into()), 404)?;
    Ok(())
}

/// `GET /definition/template/adl1.4/{template_id}/example` (master) and Ehrscape's `/template/{templateId}/example`.
fn examples(s: &Suite) -> Result<(), String> {
    let id = "conformance.examples";
    let xml = s.synthetic(id)?;
    s.expect(post_xml(xml.clone()), 201)?;
    let language = element_text(&xml, "code_string").ok_or("the fixture has no language")?;
    let path = format!("/definition/template/adl1.4/{}/example", encode(id));
    let content_type = |resp: &Resp, wanted: &str| -> Result<(), String> {
        ensure!(
            resp.header("content-type") == Some(wanted),
            "Content-Type {:?}, not {wanted}",
            resp.header("content-type")
        );
        Ok(())
    };

    // No Accept: canonical RM JSON, the spec's documented representation.
    let canonical = s.expect(get(&path), 200)?;
    content_type(&canonical, "application/json")?;
    let json = canonical.json()?;
    ensure!(json["_type"] == "COMPOSITION", "_type: {}", json["_type"]);
    let flat_req = |req| header(req, "Accept", "application/openehr.wt.flat+json");
    let flat = s.expect(flat_req(get(&path)), 200)?;
    content_type(&flat, "application/openehr.wt.flat+json")?;
    let flat_json = flat.json()?;
    ensure!(flat_json["ctx/language"] == language.as_str(), "ctx/language: {}", flat_json["ctx/language"]);
    let structured = s.expect(header(get(&path), "Accept", "application/openehr.wt.structured+json"), 200)?;
    content_type(&structured, "application/openehr.wt.structured+json")?;
    ensure!(structured.json()?.is_object(), "STRUCTURED is not a JSON object");
    let rm_xml = s.expect(header(get(&path), "Accept", "application/xml"), 200)?;
    content_type(&rm_xml, "application/xml")?;
    ensure!(String::from_utf8_lossy(&rm_xml.body).contains("composition"), "XML: {}", body_head(&rm_xml));

    // The format alias wins over Accept; type and detail_level change the example.
    let alias = s.expect(header(get(&format!("{path}?format=FLAT")), "Accept", "application/xml"), 200)?;
    ensure!(alias.body == flat.body, "format=FLAT differs from Accept FLAT");
    let output = s.expect(flat_req(get(&format!("{path}?type=output&detail_level=complete"))), 200)?;
    let output_json = output.json()?;
    ensure!(output_json.get("ctx/language").is_none(), "an output example has ctx/ keys");
    ensure!(output.header("etag") != flat.header("etag"), "parameters do not change the ETag");

    let etag = flat.header("etag").ok_or("no ETag on the example")?.to_owned();
    let cached = s.expect(header(flat_req(get(&path)), "If-None-Match", &etag), 304)?;
    ensure!(cached.body.is_empty(), "304 with a body");

    for bad in ["type=sideways", "detail_level=all", "format=PDF"] {
        let resp = s.expect(get(&format!("{path}?{bad}")), 400)?;
        expect_json_error(&resp)?;
    }
    s.expect(get("/definition/template/adl1.4/conformance.examples.missing/example"), 404)?;
    s.expect(header(get(&path), "Accept", "text/plain"), 406)?;

    // Ehrscape: FLAT by default, exampleFilter, errors in the same body.
    let root = |path: String| Req { from_root: true, ..get(&path) };
    let ehrscape = format!("/rest/v1/template/{}/example", encode(id));
    let default = s.expect(root(ehrscape.clone()), 200)?;
    content_type(&default, "application/openehr.wt.flat+json")?;
    ensure!(default.body == flat.body, "Ehrscape's FLAT input example differs from the standard one");
    let out = s.expect(root(format!("{ehrscape}?format=STRUCTURED&exampleFilter=OUTPUT")), 200)?;
    content_type(&out, "application/openehr.wt.structured+json")?;
    expect_json_error(&s.expect(root(format!("{ehrscape}?exampleFilter=BOTH")), 400)?)?;
    expect_json_error(&s.expect(root("/rest/v1/template/conformance.examples.missing/example".into()), 404)?)?;
    Ok(())
}

fn unsupported_media_type(s: &Suite) -> Result<(), String> {
    let xml = s.synthetic("conformance.media.type")?;
    let resp = s.expect(header(post_xml(xml.clone()), "Content-Type", "application/json"), 415)?;
    expect_json_error(&resp)?;
    let mut no_type = post_xml(xml);
    no_type.headers.clear();
    s.expect(no_type, 415)?;
    Ok(())
}

fn payload_too_large(s: &Suite) -> Result<(), String> {
    let body = vec![b' '; s.options.max_body_bytes + 1];
    // Refused like every other error: the JSON body, and CORS headers so a browser can read it.
    let resp = s.expect(header(post_xml(body), "Origin", "https://example.org"), 413)?;
    expect_json_error(&resp)?;
    ensure!(resp.header("access-control-allow-origin").is_some(), "413 without Allow-Origin");
    Ok(())
}

fn not_found(s: &Suite) -> Result<(), String> {
    let resp = s.expect(get("/definition/template/adl1.4/conformance.does.not.exist"), 404)?;
    expect_json_error(&resp)?;
    let resp = s.expect(get("/definition/nothing"), 404)?;
    expect_json_error(&resp)?;
    s.expect(get("/definition/query/conformance::none/1.0.0"), 404)?;
    Ok(())
}

fn method_not_allowed(s: &Suite) -> Result<(), String> {
    for (method, path, allow) in [
        ("DELETE", "/definition/template/adl1.4", ["GET", "POST"]),
        ("PUT", "/definition/template/adl1.4", ["GET", "POST"]),
        ("POST", "/definition/query/conformance::x", ["GET", "PUT"]),
    ] {
        let resp = s.expect(Req { method: method.into(), ..get(path) }, 405)?;
        let header = resp.header("allow").ok_or("no Allow")?;
        ensure!(allow.iter().all(|m| header.contains(m)), "{method} {path}: Allow {header:?}");
        expect_json_error(&resp)?;
    }
    Ok(())
}

fn cors(s: &Suite) -> Result<(), String> {
    let preflight = Req {
        method: "OPTIONS".into(),
        headers: vec![
            ("Origin".into(), "https://example.org".into()),
            ("Access-Control-Request-Method".into(), "POST".into()),
            ("Access-Control-Request-Headers".into(), "content-type, prefer".into()),
        ],
        ..get("/definition/template/adl1.4")
    };
    let resp = s.expect(preflight, 204)?;
    let methods = resp.header("access-control-allow-methods").ok_or("no Allow-Methods")?;
    ensure!(methods.contains("POST") && methods.contains("GET"), "Allow-Methods {methods:?}");
    let headers = resp.header("access-control-allow-headers").ok_or("no Allow-Headers")?.to_ascii_lowercase();
    for h in ["content-type", "authorization", "prefer", "if-none-match"] {
        ensure!(headers.contains(h), "Allow-Headers {headers:?} lacks {h}");
    }
    ensure!(resp.header("access-control-allow-origin").is_some(), "preflight without Allow-Origin");
    let resp = s.expect(header(get("/definition/template/adl1.4"), "Origin", "https://example.org"), 200)?;
    let origin = resp.header("access-control-allow-origin").ok_or("no Allow-Origin")?;
    ensure!(origin == "*" || origin == "https://example.org", "Allow-Origin {origin:?}");
    let exposed = resp.header("access-control-expose-headers").ok_or("no Expose-Headers")?.to_ascii_lowercase();
    ensure!(exposed.contains("location") && exposed.contains("etag"), "Expose-Headers {exposed:?}");
    Ok(())
}

fn write_token(s: &Suite) -> Result<(), String> {
    if s.options.write_token.is_none() {
        return Ok(()); // a server without a token: nothing to check (the in-process run checks it)
    }
    let xml = s.synthetic("conformance.auth")?;
    let resp = s.expect(header(post_xml(xml.clone()), "Authorization", "Bearer wrong"), 401)?;
    ensure!(resp.header("www-authenticate").is_some_and(|v| v.starts_with("Bearer")), "no WWW-Authenticate");
    expect_json_error(&resp)?;
    let resp = s.expect(header(post_xml(xml.clone()), "Authorization", "Basic Zm9vOmJhcg=="), 401)?;
    ensure!(resp.header("www-authenticate").is_some(), "no WWW-Authenticate");
    let put = with_body("PUT", "/definition/query/conformance::auth", "text/plain", AQL);
    s.expect(header(put, "Authorization", "Bearer wrong"), 401)?;
    s.expect(get("/definition/template/adl1.4"), 200)?; // reads stay open
    s.expect(post_xml(xml), 201)?;
    Ok(())
}

fn adl2(s: &Suite) -> Result<(), String> {
    let dir = s.options.fixtures_dir.join("adl2");
    let name = "openehr_archie__flattener__openEHR-EHR-COMPOSITION.blood_pressure.v1.0.0.adlt";
    let text = std::fs::read_to_string(dir.join(name)).map_err(|e| format!("{name}: {e}"))?;
    let hrid = "openEHR-EHR-COMPOSITION.blood_pressure.v1.0.0";
    ensure!(text.contains(hrid), "fixture does not carry {hrid}");
    let id = "openEHR-EHR-COMPOSITION.blood_pressure";
    let post = |body: String| with_body("POST", "/definition/template/adl2", "text/plain", body);

    let resp = s.expect(post(text.clone()), 201)?;
    ensure!(
        resp.header("location").map(decode) == Some(s.location(&format!("/definition/template/adl2/{id}/1.0.0"))),
        "Location {:?}",
        resp.header("location")
    );
    expect_json_error(&s.expect(post(text.clone()), 409)?)?;
    s.expect(with_body("POST", "/definition/template/adl2", "application/xml", text.clone()), 415)?;
    let mismatch = with_body("POST", "/definition/template/adl2?version=2.0.0", "text/plain", text.clone());
    s.expect(mismatch, 400)?;
    let bodies: BTreeMap<&str, String> =
        ["1.1.0", "1.2.0", "2.0.0"].into_iter().map(|v| (v, text.replacen(hrid, &format!("{id}.v{v}"), 1))).collect();
    for (version, body) in &bodies {
        let req =
            with_body("POST", &format!("/definition/template/adl2?version={version}"), "text/plain", body.clone());
        s.expect(req, 201)?;
    }
    let list = s.expect(get("/definition/template/adl2"), 200)?.json()?;
    let versions: Vec<&str> = list
        .as_array()
        .ok_or("list is not an array")?
        .iter()
        .filter(|i| i["template_id"] == id)
        .filter_map(|i| i["version"].as_str())
        .collect();
    ensure!(versions == ["1.0.0", "1.1.0", "1.2.0", "2.0.0"], "listed versions {versions:?}");
    let base = format!("/definition/template/adl2/{id}");
    for (pattern, version) in
        [("", "2.0.0"), ("/1", "1.2.0"), ("/1.1", "1.1.0"), ("/2.0.0", "2.0.0"), ("/1.0.0", "1.0.0")]
    {
        let resp = s.expect(get(&format!("{base}{pattern}")), 200)?;
        let wanted = if version == "1.0.0" { &text } else { &bodies[version] };
        ensure!(resp.body == wanted.as_bytes(), "{base}{pattern}: expected version {version}");
        ensure!(resp.header("content-type").is_some_and(|c| c.starts_with("text/plain")), "{pattern}: content type");
    }
    let resp = s.expect(get(&format!("/definition/template/adl2/{id}.v1.1.0")), 200)?;
    ensure!(resp.body == bodies["1.1.0"].as_bytes(), "full HRID did not select 1.1.0");
    s.expect(get(&format!("{base}/3")), 404)?;
    expect_code(&s.expect(get(&format!("{base}/x")), 400)?, "VER001")?;
    s.expect(get("/definition/template/adl2/openEHR-EHR-COMPOSITION.nothing"), 404)?;
    Ok(())
}

/// Stored-query bodies are real AQL, whatever the server checks of them.
const AQL: &str = "SELECT c FROM EHR e CONTAINS COMPOSITION c";
const AQL_UID: &str = "SELECT c/uid/value FROM EHR e CONTAINS COMPOSITION c";
const AQL_EHR: &str = "SELECT e/ehr_id/value FROM EHR e";

fn put_query(s: &Suite, path: &str, query: &str, status: u16) -> Result<Resp, String> {
    s.expect(with_body("PUT", &format!("/definition/query/{path}"), "text/plain", query), status)
}

pub(crate) fn location_version(s: &Suite, resp: &Resp, name: &str) -> Result<String, String> {
    let location = decode(resp.header("location").ok_or("no Location")?);
    let prefix = s.location(&format!("/definition/query/{name}/"));
    location.strip_prefix(&prefix).map(str::to_owned).ok_or(format!("Location {location:?} not under {prefix:?}"))
}

fn stored_queries(s: &Suite) -> Result<(), String> {
    let name = "org.openehr::compositions";
    let q = AQL;
    let resp = put_query(s, &format!("{name}/1.0.0"), q, 200)?;
    ensure!(location_version(s, &resp, name)? == "1.0.0", "exact version not kept");
    expect_json_error(&put_query(s, &format!("{name}/1.0.0"), q, 409)?)?;
    let assigned = |path: String, want: &str| -> Result<(), String> {
        let resp = put_query(s, &path, q, 200)?;
        let got = location_version(s, &resp, name)?;
        ensure!(got == want, "PUT {path}: assigned {got}, wanted {want}");
        Ok(())
    };
    assigned(name.to_owned(), "2.0.0")?;
    assigned(format!("{name}/1"), "1.1.0")?;
    assigned(format!("{name}/1.1"), "1.1.1")?;
    let json_put = with_body(
        "PUT",
        &format!("/definition/query/{name}/3.0.0?query_type=AQL"),
        "application/json",
        format!(r#"{{"q": "{AQL_UID}"}}"#),
    );
    s.expect(json_put, 200)?;
    s.expect(with_body("PUT", "/definition/query/org.openehr.x::b?type=SQL", "text/plain", AQL_EHR), 200)?;
    put_query(s, "org.openehrx::c", AQL_EHR, 200)?;

    let one = s.expect(get(&format!("/definition/query/{name}/1")), 200)?.json()?;
    ensure!(one["version"] == "1.1.1" && one["name"] == name && one["q"] == q, "GET {name}/1 gave {one}");
    ensure!(one["type"].as_str().is_some_and(|t| t.eq_ignore_ascii_case("aql")), "type {}", one["type"]);
    ensure!(one["saved"].as_str().is_some_and(|t| t.contains('T')), "saved {}", one["saved"]);
    let three = s.expect(get(&format!("/definition/query/{name}/3.0.0")), 200)?.json()?;
    ensure!(three["q"] == AQL_UID, "JSON body not stored: {three}");
    let latest = s.expect(get(&format!("/definition/query/{name}/3")), 200)?.json()?;
    ensure!(latest["version"] == "3.0.0", "latest in 3: {latest}");
    s.expect(get(&format!("/definition/query/{name}/4")), 404)?;

    let names_versions = |path: &str| -> Result<Vec<(String, String)>, String> {
        let list = s.expect(get(path), 200)?.json()?;
        Ok(list
            .as_array()
            .ok_or("not an array")?
            .iter()
            .map(|q| (q["name"].as_str().unwrap_or("").to_owned(), q["version"].as_str().unwrap_or("").to_owned()))
            .collect())
    };
    let mut listed = names_versions(&format!("/definition/query/{name}"))?;
    listed.sort();
    let wanted: Vec<(String, String)> =
        ["1.0.0", "1.1.0", "1.1.1", "2.0.0", "3.0.0"].iter().map(|v| (name.to_owned(), (*v).to_owned())).collect();
    ensure!(listed == wanted, "versions of {name}: {listed:?}");
    let prefixed: BTreeSet<String> =
        names_versions("/definition/query/org.openehr")?.into_iter().map(|(n, _)| n).collect();
    ensure!(
        prefixed == BTreeSet::from([name.to_owned(), "org.openehr.x::b".to_owned()]),
        "prefix org.openehr listed {prefixed:?}"
    );
    let sql = s.expect(get("/definition/query/org.openehr.x::b/1"), 200)?.json()?;
    ensure!(sql["type"] == "SQL", "?type=SQL stored as {}", sql["type"]);
    let all: BTreeSet<String> = names_versions("/definition/query/")?.into_iter().map(|(n, _)| n).collect();
    ensure!(all.contains("org.openehrx::c") && all.contains(name), "list all: {all:?}");
    Ok(())
}

fn bad_query_input(s: &Suite) -> Result<(), String> {
    for (path, code) in [("aql", "ID007"), ("AQL/1.0.0", "ID007"), ("bad%20name", "ID005"), ("a::b::c", "ID006")] {
        expect_code(&put_query(s, path, AQL, 400)?, code).map_err(|e| format!("PUT {path}: {e}"))?;
    }
    expect_code(&put_query(s, "conformance::q/1.x", AQL, 400)?, "VER001")?;
    expect_code(&s.expect(get("/definition/query/conformance::q/v1"), 400)?, "VER001")?;
    put_query(s, "conformance::q", "   \n", 400)?;
    // Stored AQL is parsed first: a broken query is refused with the parser's code, nothing stored.
    expect_code(&put_query(s, "conformance::q", "SELECT e/ehr_id/value WHERE e/a = 1", 400)?, "AQL006")?;
    expect_code(&put_query(s, "conformance::q", "SELECT x/a FROM EHR e", 400)?, "AQL010")?;
    let bad_json = with_body("PUT", "/definition/query/conformance::q", "application/json", "{\"query\": 1}");
    s.expect(bad_json, 400)?;
    Ok(())
}

fn concurrent_template_posts(s: &Suite) -> Result<(), String> {
    let xml = s.synthetic("conformance.concurrent.template")?;
    let statuses: Vec<Result<u16, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> =
            (0..16).map(|_| scope.spawn(|| s.send(post_xml(xml.clone())).map(|r| r.status))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("thread panicked".into()))).collect()
    });
    let statuses: Vec<u16> = statuses.into_iter().collect::<Result<_, _>>()?;
    let created = statuses.iter().filter(|&&s| s == 201).count();
    let conflicts = statuses.iter().filter(|&&s| s == 409).count();
    ensure!(created == 1 && conflicts == 15, "statuses {statuses:?}");
    let back =
        s.expect(get(&format!("/definition/template/adl1.4/{}", encode("conformance.concurrent.template"))), 200)?;
    ensure!(back.body == xml.as_bytes(), "the winner's body was clobbered");
    Ok(())
}

fn concurrent_query_puts(s: &Suite) -> Result<(), String> {
    let name = "conformance::concurrent";
    let results: Vec<Result<String, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..16)
            .map(|i| {
                scope.spawn(move || {
                    let resp = put_query(s, name, &format!("{AQL} WHERE c/name/value = 'writer {i}'"), 200)?;
                    location_version(s, &resp, name)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("thread panicked".into()))).collect()
    });
    let versions: BTreeSet<String> = results.into_iter().collect::<Result<_, _>>()?;
    ensure!(versions.len() == 16, "only {} distinct versions: {versions:?}", versions.len());
    let listed = s.expect(get(&format!("/definition/query/{name}")), 200)?.json()?;
    let listed = listed.as_array().map_or(0, Vec::len);
    ensure!(listed == 16, "{listed} versions listed");
    Ok(())
}
