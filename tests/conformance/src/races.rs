//! Race cases: many writers at once, each from its own thread and connection, released together by a barrier.
//! They check what a server guarantees under concurrency on its real store (every acknowledged write is kept and
//! listed once, a conflict has exactly one winner), so they are as much a test of the key-value backend as of
//! the API. They need an EMPTY store: the first case's writes must be the very first requests the server sees.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Barrier;

use serde_json::Value;

use crate::cases::{Suite, body_head, get, location_version, post_xml, with_body};
use crate::fixtures::encode;
use crate::transport::{Req, Resp};
use crate::{CaseResult, Report};

/// `(id, description)` of a race case.
type Named = (&'static str, &'static str);

fn result((id, name): Named, outcome: Result<(), String>) -> CaseResult {
    CaseResult { id, name, outcome }
}

const FIRST_QUERIES: Named = (
    "race_first_queries",
    "race: first-ever writes, version-less PUTs of one new query: all 200, distinct versions, each listed once with its text",
);
const FIRST_TEMPLATES: Named = (
    "race_first_templates",
    "race: first-ever writes, uploads of distinct new ADL 1.4 templates: all 201, each listed once, bytes kept",
);
const FIRST_ADL2: Named = (
    "race_first_adl2",
    "race: first-ever writes, ADL 2 uploads of distinct versions: all 201, each version listed once, bytes kept",
);
const ONE_TEMPLATE: Named = (
    "race_one_template",
    "race: POSTs of one new template_id: exactly one 201, the rest 409, listed once, GET gives the winner's bytes",
);
const ONE_QUERY: Named = (
    "race_one_query",
    "race: version-less PUTs of one query: all 200, distinct versions, each listed once with its text",
);

/// The ADL 2 template the first-writes case uploads in many versions (the same fixture as the suite's `adl2`).
const ADL2_FIXTURE: &str = "openehr_archie__flattener__openEHR-EHR-COMPOSITION.blood_pressure.v1.0.0.adlt";
const ADL2_HRID: &str = "openEHR-EHR-COMPOSITION.blood_pressure.v1.0.0";
const ADL2_ID: &str = "openEHR-EHR-COMPOSITION.blood_pressure";

/// Runs the race cases in order, `options.race_writers` writers per group.
pub(crate) fn run(s: &Suite) -> Report {
    let writers = s.options.race_writers;
    let mut results = first_writes(s, writers);
    results.push(result(ONE_TEMPLATE, one_new_template(s, writers)));
    results.push(result(ONE_QUERY, one_query(s, "org.race::many", writers)));
    Report { results }
}

type Outcome = Result<Resp, String>;

/// Sends every request at once: one thread each, all released by one barrier. Outcomes in request order.
fn burst(s: &Suite, requests: Vec<Req>) -> Vec<Outcome> {
    let barrier = Barrier::new(requests.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = requests
            .into_iter()
            .map(|request| {
                let barrier = &barrier;
                scope.spawn(move || {
                    barrier.wait();
                    s.send(request)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("writer thread panicked".into()))).collect()
    })
}

/// `201 ×1, 409 ×22, 503 ×1 (503: {body})`, plus transport errors: exactly what came back.
fn tally(outcomes: &[Outcome]) -> String {
    let mut counts: BTreeMap<u16, (usize, String)> = BTreeMap::new();
    let mut errors = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(resp) => counts.entry(resp.status).or_insert_with(|| (0, body_head(resp))).0 += 1,
            Err(e) => errors.push(e.as_str()),
        }
    }
    let mut parts: Vec<String> = counts.iter().map(|(status, (n, _))| format!("{status} ×{n}")).collect();
    if !errors.is_empty() {
        parts.push(format!("no response ×{}", errors.len()));
    }
    let mut text = parts.join(", ");
    for (status, (_, body)) in &counts {
        if !(200..300).contains(status) && *status != 409 {
            text.push_str(&format!("\n    first {status} body: {body}"));
        }
    }
    if let Some(first) = errors.first() {
        text.push_str(&format!("\n    first transport error: {first}"));
    }
    text
}

fn statuses_are(outcomes: &[Outcome], status: u16) -> bool {
    outcomes.iter().all(|o| o.as_ref().is_ok_and(|r| r.status == status))
}

fn finish(problems: Vec<String>) -> Result<(), String> {
    if problems.is_empty() { Ok(()) } else { Err(problems.join("\n  ")) }
}

/// Up to 12 items, then how many there are in all: failure lines stay readable when a run lists hundreds.
fn sample<T: std::fmt::Debug>(items: &[T]) -> String {
    let shown: Vec<String> = items.iter().take(12).map(|item| format!("{item:?}")).collect();
    let shown = shown.join(", ");
    if items.len() > 12 {
        format!("[{shown}, …] ({} in all)", items.len())
    } else {
        format!("[{shown}] ({})", items.len())
    }
}

/// Each `(label, count)` with count ≠ 1, as `label ×count`.
fn not_once<'a>(counts: impl IntoIterator<Item = (&'a String, &'a usize)>) -> Vec<String> {
    counts.into_iter().filter(|(_, n)| **n != 1).map(|(label, n)| format!("{label} ×{n}")).collect()
}

// ------------------------------------------------------------------ (c) first-ever writes

/// Three groups at once, interleaved, as the first requests on an empty store: version-less PUTs of one new
/// query, uploads of distinct new ADL 1.4 templates, ADL 2 uploads of one template in distinct versions.
fn first_writes(s: &Suite, writers: usize) -> Vec<CaseResult> {
    let prepared = (|| -> Result<_, String> {
        let queries: Vec<String> = (0..writers).map(query_text).collect();
        let templates: Vec<(String, String)> = (0..writers)
            .map(|i| {
                let id = format!("race.first.template.{i}");
                s.synthetic(&id).map(|xml| (id, xml))
            })
            .collect::<Result<_, _>>()?;
        let path = s.options.fixtures_dir.join("adl2").join(ADL2_FIXTURE);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if !text.contains(ADL2_HRID) {
            return Err(format!("{ADL2_FIXTURE} does not carry {ADL2_HRID}"));
        }
        let adl2: Vec<(String, String)> = (0..writers)
            .map(|i| {
                let version = format!("1.0.{i}");
                let body = text.replacen(ADL2_HRID, &format!("{ADL2_ID}.v{version}"), 1);
                (version, body)
            })
            .collect();
        Ok((queries, templates, adl2))
    })();
    let (queries, templates, adl2) = match prepared {
        Ok(prepared) => prepared,
        Err(e) => {
            return [FIRST_QUERIES, FIRST_TEMPLATES, FIRST_ADL2]
                .into_iter()
                .map(|named| result(named, Err(e.clone())))
                .collect();
        }
    };
    let query_name = "org.race::first";
    let mut requests = Vec::with_capacity(3 * writers);
    for i in 0..writers {
        requests.push(put_query(query_name, &queries[i]));
        requests.push(post_xml(templates[i].1.clone()));
        let (version, body) = &adl2[i];
        requests.push(with_body(
            "POST",
            &format!("/definition/template/adl2?version={version}"),
            "text/plain",
            body.clone(),
        ));
    }
    let mut outcomes = burst(s, requests).into_iter();
    let (mut query_outcomes, mut template_outcomes, mut adl2_outcomes) = (Vec::new(), Vec::new(), Vec::new());
    while let (Some(q), Some(t), Some(a)) = (outcomes.next(), outcomes.next(), outcomes.next()) {
        query_outcomes.push(q);
        template_outcomes.push(t);
        adl2_outcomes.push(a);
    }
    vec![
        result(FIRST_QUERIES, check_query_race(s, query_name, &queries, &query_outcomes)),
        result(FIRST_TEMPLATES, check_distinct_templates(s, &templates, &template_outcomes)),
        result(FIRST_ADL2, check_adl2_versions(s, &adl2, &adl2_outcomes)),
    ]
}

fn check_distinct_templates(s: &Suite, templates: &[(String, String)], outcomes: &[Outcome]) -> Result<(), String> {
    let mut problems = Vec::new();
    if !statuses_are(outcomes, 201) {
        problems.push(format!(
            "expected {} × 201 (distinct new ids never conflict), got {}",
            outcomes.len(),
            tally(outcomes)
        ));
    }
    let acknowledged: Vec<&(String, String)> = templates
        .iter()
        .zip(outcomes)
        .filter(|(_, o)| o.as_ref().is_ok_and(|r| r.status == 201))
        .map(|(t, _)| t)
        .collect();
    let list = s.expect(get("/definition/template/adl1.4"), 200)?.json()?;
    let mut listed: BTreeMap<String, usize> = BTreeMap::new();
    for item in list.as_array().ok_or(format!("the ADL 1.4 list is not an array: {list}"))? {
        *listed.entry(item["template_id"].as_str().unwrap_or("(no template_id)").to_owned()).or_default() += 1;
    }
    let ours: BTreeSet<&str> = templates.iter().map(|(id, _)| id.as_str()).collect();
    let foreign: Vec<&String> = listed.keys().filter(|id| !ours.contains(id.as_str())).collect();
    if !foreign.is_empty() {
        problems
            .push(format!("listed but not written by this run (the races need an empty store): {}", sample(&foreign)));
    }
    let missing: Vec<&str> =
        acknowledged.iter().map(|(id, _)| id.as_str()).filter(|id| !listed.contains_key(*id)).collect();
    if !missing.is_empty() {
        problems.push(format!("acknowledged (201) but not listed: {}", sample(&missing)));
    }
    let repeated = not_once(listed.iter().filter(|(id, _)| ours.contains(id.as_str())));
    if !repeated.is_empty() {
        problems.push(format!("listed more than once: {}", sample(&repeated)));
    }
    for (id, xml) in &acknowledged {
        let resp = s.send(get(&format!("/definition/template/adl1.4/{}", encode(id))))?;
        if resp.status != 200 || resp.body != xml.as_bytes() {
            problems.push(format!(
                "GET {id}: {} with {} bytes, uploaded {} bytes{}",
                resp.status,
                resp.body.len(),
                xml.len(),
                if resp.status == 200 { String::new() } else { format!(": {}", body_head(&resp)) }
            ));
        }
    }
    finish(problems)
}

fn check_adl2_versions(s: &Suite, versions: &[(String, String)], outcomes: &[Outcome]) -> Result<(), String> {
    let mut problems = Vec::new();
    if !statuses_are(outcomes, 201) {
        problems.push(format!(
            "expected {} × 201 (distinct versions never conflict), got {}",
            outcomes.len(),
            tally(outcomes)
        ));
    }
    let acknowledged: Vec<&(String, String)> = versions
        .iter()
        .zip(outcomes)
        .filter(|(_, o)| o.as_ref().is_ok_and(|r| r.status == 201))
        .map(|(v, _)| v)
        .collect();
    let list = s.expect(get("/definition/template/adl2"), 200)?.json()?;
    let mut listed: BTreeMap<String, usize> = BTreeMap::new();
    for item in list.as_array().ok_or(format!("the ADL 2 list is not an array: {list}"))? {
        let id = item["template_id"].as_str().unwrap_or("(no template_id)");
        let version = item["version"].as_str().unwrap_or("(no version)");
        let label = if id == ADL2_ID { version.to_owned() } else { format!("{id} {version}") };
        *listed.entry(label).or_default() += 1;
    }
    let ours: BTreeSet<&str> = versions.iter().map(|(v, _)| v.as_str()).collect();
    let foreign: Vec<&String> = listed.keys().filter(|v| !ours.contains(v.as_str())).collect();
    if !foreign.is_empty() {
        problems
            .push(format!("listed but not written by this run (the races need an empty store): {}", sample(&foreign)));
    }
    let missing: Vec<&str> =
        acknowledged.iter().map(|(v, _)| v.as_str()).filter(|v| !listed.contains_key(*v)).collect();
    if !missing.is_empty() {
        problems.push(format!("acknowledged (201) versions of {ADL2_ID} not listed: {}", sample(&missing)));
    }
    let repeated = not_once(listed.iter().filter(|(v, _)| ours.contains(v.as_str())));
    if !repeated.is_empty() {
        problems.push(format!("versions of {ADL2_ID} listed more than once: {}", sample(&repeated)));
    }
    for (version, body) in &acknowledged {
        let resp = s.send(get(&format!("/definition/template/adl2/{ADL2_ID}/{version}")))?;
        if resp.status != 200 || resp.body != body.as_bytes() {
            problems.push(format!(
                "GET {ADL2_ID}/{version}: {} with {} bytes, uploaded {} bytes",
                resp.status,
                resp.body.len(),
                body.len()
            ));
        }
    }
    finish(problems)
}

// ------------------------------------------------------------------ (a) one new template_id

fn one_new_template(s: &Suite, writers: usize) -> Result<(), String> {
    let id = "race.one.template";
    let base = s.synthetic(id)?;
    // Distinct bodies (a trailing comment) so the stored bytes tell which writer's upload was kept.
    let bodies: Vec<String> = (0..writers).map(|i| format!("{base}\n<!-- race writer {i} -->\n")).collect();
    let outcomes = burst(s, bodies.iter().map(|b| post_xml(b.clone())).collect());
    let mut problems = Vec::new();
    let winners: Vec<usize> = (0..writers).filter(|&i| outcomes[i].as_ref().is_ok_and(|r| r.status == 201)).collect();
    let conflicts = outcomes.iter().filter(|o| o.as_ref().is_ok_and(|r| r.status == 409)).count();
    if winners.len() != 1 || conflicts != writers - 1 {
        problems.push(format!("expected one 201 and {} × 409, got {}", writers - 1, tally(&outcomes)));
    }
    let list = s.expect(get("/definition/template/adl1.4"), 200)?.json()?;
    let listed = list.as_array().ok_or(format!("the ADL 1.4 list is not an array: {list}"))?;
    let times = listed.iter().filter(|item| item["template_id"] == id).count();
    if times != 1 {
        problems.push(format!("{id} listed {times} times"));
    }
    let back = s.send(get(&format!("/definition/template/adl1.4/{}", encode(id))))?;
    if back.status != 200 {
        problems.push(format!("GET {id}: {} {}", back.status, body_head(&back)));
    } else {
        match bodies.iter().position(|b| b.as_bytes() == back.body) {
            None => problems.push(format!("GET {id}: {} bytes that match no writer's body", back.body.len())),
            Some(kept) if winners.is_empty() => {
                problems.push(format!("GET {id} returns writer {kept}'s body, though no writer got a 201"))
            }
            Some(kept) if winners != [kept] => problems.push(format!(
                "GET {id} returns writer {kept}'s body, but the 201 went to writer(s) {winners:?}: the winner's upload was overwritten"
            )),
            Some(_) => {}
        }
    }
    finish(problems)
}

// ------------------------------------------------------------------ (b) version-less PUTs of one query

fn query_text(writer: usize) -> String {
    format!("SELECT c FROM EHR e CONTAINS COMPOSITION c /* race writer {writer} */")
}

fn put_query(name: &str, query: &str) -> Req {
    with_body("PUT", &format!("/definition/query/{name}"), "text/plain", query)
}

fn one_query(s: &Suite, name: &str, writers: usize) -> Result<(), String> {
    let queries: Vec<String> = (0..writers).map(query_text).collect();
    let outcomes = burst(s, queries.iter().map(|q| put_query(name, q)).collect());
    check_query_race(s, name, &queries, &outcomes)
}

/// Writer i PUT `queries[i]` to `name` without a version: every PUT acknowledged with its own version, each
/// version listed once and holding its writer's text, nothing else listed.
fn check_query_race(s: &Suite, name: &str, queries: &[String], outcomes: &[Outcome]) -> Result<(), String> {
    let mut problems = Vec::new();
    if !statuses_are(outcomes, 200) {
        problems.push(format!("expected {} × 200, got {}", outcomes.len(), tally(outcomes)));
    }
    // version → the writers whose PUT was acknowledged with it
    let mut assigned: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (writer, outcome) in outcomes.iter().enumerate() {
        if let Ok(resp) = outcome
            && resp.status == 200
        {
            match location_version(s, resp, name) {
                Ok(version) => assigned.entry(version).or_default().push(writer),
                Err(e) => problems.push(format!("writer {writer}: {e}")),
            }
        }
    }
    let shared: Vec<String> =
        assigned.iter().filter(|(_, w)| w.len() > 1).map(|(v, w)| format!("{v} to writers {w:?}")).collect();
    if !shared.is_empty() {
        problems.push(format!("one version acknowledged to several writers: {}", shared.join(", ")));
    }
    let list = s.expect(get(&format!("/definition/query/{name}")), 200)?.json()?;
    let mut listed: BTreeMap<String, usize> = BTreeMap::new();
    for item in list.as_array().ok_or(format!("the query list is not an array: {list}"))? {
        let label = match (item["name"].as_str(), item["version"].as_str()) {
            (Some(n), Some(v)) if n == name => v.to_owned(),
            _ => item.to_string(),
        };
        *listed.entry(label).or_default() += 1;
    }
    let acknowledged: usize = assigned.values().map(Vec::len).sum();
    let total: usize = listed.values().sum();
    if total != acknowledged {
        let versions: Vec<&String> = listed.keys().collect();
        problems.push(format!("{total} versions listed for {acknowledged} acknowledged PUTs: {}", sample(&versions)));
    }
    let missing: Vec<&String> = assigned.keys().filter(|v| !listed.contains_key(*v)).collect();
    if !missing.is_empty() {
        problems.push(format!("acknowledged versions not listed: {}", sample(&missing)));
    }
    let repeated = not_once(&listed);
    if !repeated.is_empty() {
        problems.push(format!("listed more than once: {}", sample(&repeated)));
    }
    let foreign: Vec<&String> = listed.keys().filter(|v| !assigned.contains_key(*v)).collect();
    if !foreign.is_empty() {
        problems.push(format!("listed but acknowledged to nobody: {}", sample(&foreign)));
    }
    for (version, writers) in &assigned {
        let resp = s.send(get(&format!("/definition/query/{name}/{version}")))?;
        let stored = resp.json().ok().and_then(|json| json.get("q").and_then(Value::as_str).map(str::to_owned));
        let holders: Vec<usize> =
            queries.iter().enumerate().filter(|(_, q)| Some(*q) == stored.as_ref()).map(|(i, _)| i).collect();
        if resp.status != 200 {
            problems.push(format!("GET {name}/{version}: {} {}", resp.status, body_head(&resp)));
        } else if !writers.iter().any(|w| holders.contains(w)) {
            problems.push(format!(
                "{name}/{version} (acknowledged to writer(s) {writers:?}) holds the text of writer(s) {holders:?}: {}",
                body_head(&resp)
            ));
        }
    }
    finish(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> Outcome {
        Ok(Resp { status, headers: Vec::new(), body: body.as_bytes().to_vec() })
    }

    #[test]
    fn tally_says_exactly_what_came_back() {
        let outcomes = vec![resp(201, ""), resp(409, "{}"), resp(409, "{}"), resp(503, "busy"), Err("reset".into())];
        assert_eq!(
            tally(&outcomes),
            "201 ×1, 409 ×2, 503 ×1, no response ×1\n    first 503 body: busy\n    first transport error: reset"
        );
        assert!(statuses_are(&outcomes[..1], 201));
        assert!(!statuses_are(&outcomes, 201));
    }

    #[test]
    fn not_once_lists_missing_and_repeated_labels() {
        let counts = BTreeMap::from([("a".to_owned(), 1), ("b".to_owned(), 2), ("c".to_owned(), 0)]);
        assert_eq!(not_once(&counts), ["b ×2", "c ×0"]);
    }

    #[test]
    fn sample_shows_twelve_and_the_count() {
        assert_eq!(sample(&["a", "b"]), r#"["a", "b"] (2)"#);
        let many: Vec<usize> = (0..30).collect();
        assert_eq!(sample(&many), "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, …] (30 in all)");
    }
}
