//! Example compositions: for every OPT of the web-template and FLAT fixture sets (and every valid
//! OPT), at every detail level and kind, the FLAT example's keys are web-template paths with
//! allowed suffixes, its values meet the inputs' constraints, the required level holds every
//! mandatory leaf, the output is deterministic, and STRUCTURED nests the same keys. The share of
//! the real FLAT fixtures' keys a complete output example also writes is printed (`--nocapture`).
#![cfg(feature = "serde")]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use openehr_definitions::example::{
    DetailLevel, ExampleKind, ExampleOptions, FlatComposition, FlatValue, Structured, example_flat, example_structured,
    to_structured,
};
use openehr_definitions::web_template::{Input, Node, Range, Value, WebTemplate, web_template};

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(relative)
}

fn files(dir: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(fixture(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("opt" | "xml")))
        .collect();
    out.sort();
    out
}

/// The OPTs of the web-template and FLAT fixture sets.
fn corpus() -> Vec<PathBuf> {
    let mut all = files("web-template/better-web-template/templates");
    all.extend(files("web-template/ehrbase-openEHR_SDK/operationaltemplate"));
    all.extend(files("flat/templates"));
    all
}

fn wt_of(path: &Path) -> WebTemplate {
    let opt = fs::read(path).unwrap();
    web_template(&opt, &Default::default()).unwrap_or_else(|d| panic!("{}: {d:?}", path.display()))
}

const KINDS: [ExampleKind; 2] = [ExampleKind::Input, ExampleKind::Output];
const LEVELS: [DetailLevel; 3] = [DetailLevel::Required, DetailLevel::Medium, DetailLevel::Complete];

fn options(kind: ExampleKind, detail: DetailLevel) -> ExampleOptions {
    ExampleOptions { kind, detail, language: None }
}

/// Every node by its FLAT path without indexes.
fn index(wt: &WebTemplate) -> BTreeMap<String, &Node> {
    fn walk<'a>(node: &'a Node, path: String, out: &mut BTreeMap<String, &'a Node>) {
        for c in &node.children {
            walk(c, format!("{path}/{}", c.id), out);
        }
        out.insert(path, node);
    }
    let mut out = BTreeMap::new();
    walk(&wt.tree, wt.tree.id.clone(), &mut out);
    out
}

/// A FLAT key split into its path without `:n` indexes and its suffix.
fn normalize(key: &str) -> (String, String) {
    let (path, suffix) = key.split_once('|').unwrap_or((key, ""));
    let path: Vec<&str> = path
        .split('/')
        .map(|s| match s.rsplit_once(':') {
            Some((id, n)) if n.bytes().all(|b| b.is_ascii_digit()) => id,
            _ => s,
        })
        .collect();
    (path.join("/"), suffix.to_owned())
}

/// Suffixes FLAT accepts for an RM type besides the inputs' own (EHRbase's and Better's FLAT).
fn rm_suffixes(rm_type: &str) -> &'static [&'static str] {
    match rm_type {
        "DV_CODED_TEXT" | "DV_STATE" => &["code", "value", "terminology", "other", "preferred_term"],
        "DV_TEXT" => &["", "formatting"],
        "DV_ORDINAL" | "DV_SCALE" => &["code", "value", "ordinal", "terminology"],
        "DV_QUANTITY" => &["magnitude", "unit", "precision"],
        "DV_PROPORTION" => &["numerator", "denominator", "type", ""],
        "DV_IDENTIFIER" => &["", "id", "issuer", "assigner", "type"],
        "DV_MULTIMEDIA" => &["", "mediatype", "size", "alternatetext"],
        "DV_PARSABLE" => &["", "formalism"],
        "CODE_PHRASE" => &["code", "terminology"],
        "PARTY_PROXY" | "PARTY_IDENTIFIED" => &["id", "id_scheme", "id_namespace", "name"],
        _ => &[""],
    }
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Decimal(d) => Some(*d),
        Value::Text(s) => s.parse().ok(),
        Value::Boolean(_) => None,
    }
}

fn in_range(v: f64, r: &Range) -> bool {
    let lo =
        r.min.as_ref().and_then(as_f64).is_none_or(|m| if r.min_op.as_deref() == Some(">") { v > m } else { v >= m });
    let hi =
        r.max.as_ref().and_then(as_f64).is_none_or(|m| if r.max_op.as_deref() == Some("<") { v < m } else { v <= m });
    lo && hi
}

fn range_of(i: &Input) -> Option<&Range> {
    i.validation.as_ref().and_then(|v| v.range.as_ref())
}

fn input<'n>(node: &'n Node, suffix: Option<&str>) -> Option<&'n Input> {
    node.inputs.iter().find(|i| i.suffix.as_deref() == suffix)
}

fn decimals(v: f64) -> usize {
    let s = format!("{v:?}");
    s.split_once('.').map_or(0, |(_, f)| f.trim_end_matches('0').len())
}

fn is_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    match parts.as_slice() {
        [y] => is_digits(y, 4),
        [y, m] => is_digits(y, 4) && is_digits(m, 2),
        [y, m, d] => is_digits(y, 4) && is_digits(m, 2) && is_digits(d, 2),
        _ => false,
    }
}

fn is_time(s: &str) -> bool {
    let s = s.trim_end_matches('Z');
    let s = s.split(['+']).next().unwrap_or(s);
    let s = s.split('.').next().unwrap_or(s);
    s.split(':').all(|p| is_digits(p, 2)) && !s.is_empty() && s.split(':').count() <= 3
}

fn is_date_time(s: &str) -> bool {
    match s.split_once('T') {
        Some((d, t)) => is_date(d) && is_time(t),
        None => is_date(s),
    }
}

/// Parses `P1Y2DT3H` into field values by input suffix.
fn duration_fields(s: &str) -> Option<Vec<(&'static str, i64)>> {
    let body = s.strip_prefix('P')?;
    let mut out = Vec::new();
    let mut in_time = false;
    let mut number = String::new();
    for ch in body.chars() {
        match ch {
            'T' => in_time = true,
            c if c.is_ascii_digit() => number.push(c),
            c => {
                let name = match (c, in_time) {
                    ('Y', false) => "year",
                    ('M', false) => "month",
                    ('W', false) => "week",
                    ('D', false) => "day",
                    ('H', true) => "hour",
                    ('M', true) => "minute",
                    ('S', true) => "second",
                    _ => return None,
                };
                out.push((name, number.parse().ok()?));
                number.clear();
            }
        }
    }
    Some(out)
}

/// Checks one FLAT value against its node's inputs; the FLAT validator will do this in full.
fn check_value(
    node: &Node,
    suffix: &str,
    value: &FlatValue,
    siblings: &BTreeMap<&str, &FlatValue>,
) -> Result<(), String> {
    let text = || value.as_str().ok_or_else(|| format!("{suffix}: expected text, got {value:?}"));
    let number = || value.as_f64().ok_or_else(|| format!("{suffix}: expected a number, got {value:?}"));
    match (node.rm_type.as_str(), suffix) {
        ("DV_CODED_TEXT" | "DV_STATE", "code") => {
            let code = text()?;
            let Some(i) = input(node, Some("code")) else { return Ok(()) };
            if !i.list.is_empty() && !i.list.iter().any(|v| v.value == code) {
                return Err(format!("code {code} not in the list"));
            }
            let terminology = siblings.get("terminology").and_then(|v| v.as_str()).ok_or("no terminology")?;
            if let Some(t) = &i.terminology
                && t != terminology
            {
                return Err(format!("terminology {terminology}, input says {t}"));
            }
        }
        ("DV_ORDINAL" | "DV_SCALE", "code") => {
            let code = text()?;
            let i = node.inputs.first().ok_or("no input")?;
            if i.list.is_empty() {
                return Ok(());
            }
            let item = i.list.iter().find(|v| v.value == code).ok_or(format!("code {code} not in the list"))?;
            let ordinal = siblings.get("ordinal").and_then(|v| v.as_f64());
            if item.ordinal.map(|o| o as f64) != ordinal {
                return Err(format!("ordinal {ordinal:?} does not belong to {code}"));
            }
        }
        ("DV_QUANTITY", "magnitude") => {
            let m = number()?;
            let unit = siblings.get("unit").and_then(|v| v.as_str()).ok_or("no unit")?;
            let unit_input = input(node, Some("unit")).ok_or("no unit input")?;
            let listed = unit_input.list.iter().find(|u| u.value == unit);
            if !unit_input.list.is_empty() && listed.is_none() {
                return Err(format!("unit {unit} not in the list"));
            }
            let validation = listed
                .and_then(|u| u.validation.as_ref())
                .or_else(|| input(node, Some("magnitude")).and_then(|i| i.validation.as_ref()));
            if let Some(r) = validation.and_then(|v| v.range.as_ref())
                && !in_range(m, r)
            {
                return Err(format!("magnitude {m} outside {r:?}"));
            }
            if let Some(p) = validation.and_then(|v| v.precision.as_ref()).and_then(|p| p.max.as_ref()).and_then(as_f64)
                && p >= 0.0
                && decimals(m) > p as usize
            {
                return Err(format!("magnitude {m} has more than {p} decimals"));
            }
        }
        ("DV_COUNT", "") => {
            let FlatValue::Integer(c) = value else { return Err(format!("count {value:?} is not an integer")) };
            let i = node.inputs.first().ok_or("no input")?;
            if let Some(r) = range_of(i)
                && !in_range(*c as f64, r)
            {
                return Err(format!("count {c} outside {r:?}"));
            }
            if !i.list.is_empty() && !i.list.iter().any(|v| v.value == c.to_string()) {
                return Err(format!("count {c} not in the list"));
            }
        }
        ("DV_BOOLEAN", "") => {
            let FlatValue::Boolean(b) = value else { return Err(format!("{value:?} is not a boolean")) };
            let i = node.inputs.first().ok_or("no input")?;
            if !i.list.is_empty() && !i.list.iter().any(|v| v.value == b.to_string()) {
                return Err(format!("boolean {b} not allowed"));
            }
        }
        ("DV_DATE_TIME", "") | ("DV_DATE", "") | ("DV_TIME", "") => {
            let s = text()?;
            let ok = match node.rm_type.as_str() {
                "DV_DATE" => is_date(s),
                "DV_TIME" => is_time(s),
                _ => is_date_time(s),
            };
            if !ok {
                return Err(format!("{s} is not an ISO 8601 {}", node.rm_type));
            }
            if let Some(r) = node.inputs.first().and_then(range_of) {
                if let Some(Value::Text(m)) = &r.min
                    && s < m.as_str()
                {
                    return Err(format!("{s} before {m}"));
                }
                if let Some(Value::Text(m)) = &r.max
                    && s > m.as_str()
                {
                    return Err(format!("{s} after {m}"));
                }
            }
        }
        ("DV_DURATION", "") => {
            let s = text()?;
            let fields = duration_fields(s).ok_or(format!("{s} is not an ISO 8601 duration"))?;
            for (name, v) in fields {
                let i = input(node, Some(name)).ok_or(format!("{s}: field {name} not allowed"))?;
                if let Some(r) = range_of(i)
                    && !in_range(v as f64, r)
                {
                    return Err(format!("{s}: {name} {v} outside {r:?}"));
                }
            }
        }
        ("DV_PROPORTION", "type") => {
            const KINDS: &[&str] = &["ratio", "unitary", "percent", "fraction", "integer_fraction"];
            let t = number()? as usize;
            let kind = KINDS.get(t).ok_or("bad type")?;
            if !node.proportion_types.is_empty() && !node.proportion_types.iter().any(|k| k == kind) {
                return Err(format!("proportion type {kind} not allowed"));
            }
            let den = siblings.get("denominator").and_then(|v| v.as_f64()).ok_or("no denominator")?;
            let num = siblings.get("numerator").and_then(|v| v.as_f64()).ok_or("no numerator")?;
            match t {
                1 if den != 1.0 => return Err("unitary denominator must be 1".into()),
                2 if den != 100.0 => return Err("percent denominator must be 100".into()),
                3 | 4 if num.fract() != 0.0 || den.fract() != 0.0 => {
                    return Err("fraction parts must be integers".into());
                }
                _ => {}
            }
            if den == 0.0 {
                return Err("zero denominator".into());
            }
            for part in ["numerator", "denominator"] {
                let v = siblings.get(part).and_then(|v| v.as_f64()).unwrap_or(0.0);
                if let Some(r) = input(node, Some(part)).and_then(range_of)
                    && !in_range(v, r)
                {
                    return Err(format!("{part} {v} outside {r:?}"));
                }
            }
        }
        ("DV_PROPORTION", "") => {
            let num = siblings.get("numerator").and_then(|v| v.as_f64()).ok_or("no numerator")?;
            let den = siblings.get("denominator").and_then(|v| v.as_f64()).ok_or("no denominator")?;
            if (number()? - num / den).abs() > 1e-9 {
                return Err(format!("value {value:?} is not {num}/{den}"));
            }
        }
        (_, s) => {
            // Plain text inputs with a closed list.
            let i = input(node, if s.is_empty() { None } else { Some(s) });
            if let (Some(i), FlatValue::Text(t)) = (i, value)
                && i.input_type == "TEXT"
                && !i.list.is_empty()
                && i.list_open != Some(true)
                && !i.list.iter().any(|v| &v.value == t)
            {
                return Err(format!("{t} not in the list"));
            }
        }
    }
    Ok(())
}

/// Every problem of a FLAT example: unknown keys or suffixes, duplicates, invalid values.
fn problems(wt: &WebTemplate, flat: &FlatComposition) -> Vec<String> {
    let nodes = index(wt);
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut by_path: BTreeMap<String, BTreeMap<&str, &FlatValue>> = BTreeMap::new();
    for (key, value) in &flat.entries {
        if !seen.insert(key.as_str()) {
            out.push(format!("{key}: duplicate"));
        }
        if key.starts_with("ctx/") || *key == format!("{}/_uid", wt.tree.id) {
            continue;
        }
        let (indexed_path, suffix) = key.split_once('|').unwrap_or((key, ""));
        by_path.entry(indexed_path.to_owned()).or_default().insert(suffix, value);
    }
    for (indexed_path, fields) in &by_path {
        let (path, _) = normalize(indexed_path);
        let Some(node) = nodes.get(&path) else {
            out.push(format!("{indexed_path}: not a web template path"));
            continue;
        };
        if !node.children.is_empty() {
            out.push(format!("{indexed_path}: not a leaf"));
        }
        for (suffix, value) in fields {
            let input_suffix = node.inputs.iter().any(|i| i.suffix.as_deref().unwrap_or("") == *suffix);
            if !input_suffix && !rm_suffixes(&node.rm_type).contains(suffix) {
                out.push(format!("{indexed_path}|{suffix}: suffix not allowed for {}", node.rm_type));
            }
            if let Err(e) = check_value(node, suffix, value, fields) {
                out.push(format!("{indexed_path}|{suffix}: {e}"));
            }
        }
    }
    out
}

/// Leaf paths (without indexes) a required example must write, or under which it must write for a
/// choice element.
fn mandatory_leaves(wt: &WebTemplate, kind: ExampleKind) -> Vec<String> {
    fn skipped(node: &Node, parent: &Node, kind: ExampleKind) -> bool {
        let ctx = node.in_context == Some(true)
            && matches!(
                (node.rm_type.as_str(), node.id.as_str()),
                ("CODE_PHRASE", "language" | "encoding" | "territory")
                    | ("PARTY_PROXY", "composer" | "subject")
                    | ("DV_DATE_TIME", "start_time" | "time")
            );
        (kind == ExampleKind::Input && ctx)
            || node.rm_type == "LOCATABLE_REF"
            || (parent.rm_type == "ACTION" && matches!(node.id.as_str(), "instruction_id" | "activity_id"))
            || (parent.rm_type == "ISM_TRANSITION" && node.id == "transition")
            || (node.rm_type == "PARTY_PROXY" && node.id == "subject")
    }
    fn walk(node: &Node, path: &str, kind: ExampleKind, out: &mut Vec<String>) {
        let choice = node.rm_type == "ELEMENT" && !node.children.is_empty();
        if node.children.is_empty() || choice {
            out.push(path.to_owned());
            return;
        }
        for c in &node.children {
            if c.min >= 1 && !skipped(c, node, kind) {
                walk(c, &format!("{path}/{}", c.id), kind, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&wt.tree, &wt.tree.id, kind, &mut out);
    out
}

/// The FLAT keys of a STRUCTURED composition, to compare with the FLAT example.
fn flatten(s: &Structured) -> BTreeSet<String> {
    fn walk(s: &Structured, path: &str, out: &mut BTreeSet<String>) {
        match s {
            Structured::Value(_) => {
                out.insert(path.to_owned());
            }
            Structured::Object(members) => {
                for (k, v) in members {
                    if let Some(suffix) = k.strip_prefix('|') {
                        out.insert(format!("{path}|{suffix}"));
                    } else if k.is_empty() {
                        out.insert(path.to_owned());
                    } else {
                        let p = if path.is_empty() { k.clone() } else { format!("{path}/{k}") };
                        walk(v, &p, out);
                    }
                }
            }
            Structured::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &format!("{path}:{i}"), out);
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(s, "", &mut out);
    out
}

/// FLAT keys with every `:n` index removed, for comparison with flattened STRUCTURED keys.
fn unindexed(keys: impl Iterator<Item = String>) -> BTreeSet<String> {
    keys.map(|k| {
        let (p, s) = normalize(&k);
        if s.is_empty() { p } else { format!("{p}|{s}") }
    })
    .collect()
}

#[test]
fn every_fixture_opt_gets_valid_examples() {
    let corpus = corpus();
    assert!(corpus.len() >= 40, "corpus has {} OPTs", corpus.len());
    let mut failures = Vec::new();
    let mut keys = 0usize;
    for path in &corpus {
        let wt = wt_of(path);
        for kind in KINDS {
            for detail in LEVELS {
                let flat = example_flat(&wt, &options(kind, detail));
                keys += flat.entries.len();
                for p in problems(&wt, &flat) {
                    failures.push(format!("{} {kind:?} {detail:?}: {p}", path.display()));
                }
                let has_ctx = flat.entries.iter().any(|(k, _)| k.starts_with("ctx/"));
                assert_eq!(has_ctx, kind == ExampleKind::Input, "{}", path.display());
            }
        }
    }
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures[..failures.len().min(60)].join("\n"));
    eprintln!("{} OPTs x 6 examples, {keys} FLAT keys, all valid", corpus.len());
}

#[test]
fn every_valid_opt_gets_valid_examples() {
    let mut failures = Vec::new();
    let mut count = 0;
    for path in files("opt14/valid") {
        let opt = fs::read(&path).unwrap();
        let Ok(wt) = web_template(&opt, &Default::default()) else { continue };
        count += 1;
        for detail in LEVELS {
            let flat = example_flat(&wt, &options(ExampleKind::Output, detail));
            for p in problems(&wt, &flat) {
                failures.push(format!("{} {detail:?}: {p}", path.display()));
            }
        }
    }
    assert!(count > 100);
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures[..failures.len().min(60)].join("\n"));
}

#[test]
fn required_examples_hold_every_mandatory_leaf() {
    let mut missing = Vec::new();
    for path in corpus() {
        let wt = wt_of(&path);
        for kind in KINDS {
            let flat = example_flat(&wt, &options(kind, DetailLevel::Required));
            let written: Vec<(String, String)> = flat.entries.iter().map(|(k, _)| normalize(k)).collect();
            for leaf in mandatory_leaves(&wt, kind) {
                let under = format!("{leaf}/");
                if !written.iter().any(|(p, _)| *p == leaf || p.starts_with(&under)) {
                    missing.push(format!("{} {kind:?}: {leaf}", path.display()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{} missing:\n{}", missing.len(), missing[..missing.len().min(60)].join("\n"));
}

#[test]
fn levels_nest() {
    for path in corpus() {
        let wt = wt_of(&path);
        for kind in KINDS {
            let keys = |detail| -> BTreeSet<String> {
                example_flat(&wt, &options(kind, detail)).entries.into_iter().map(|(k, _)| k).collect()
            };
            let (required, medium, complete) =
                (keys(DetailLevel::Required), keys(DetailLevel::Medium), keys(DetailLevel::Complete));
            assert!(required.len() <= medium.len() && medium.len() <= complete.len(), "{}", path.display());
        }
    }
}

#[test]
fn examples_are_deterministic_and_valid_json() {
    for path in corpus() {
        let wt = wt_of(&path);
        for kind in KINDS {
            for detail in LEVELS {
                let o = options(kind, detail);
                let a = example_flat(&wt, &o).to_json();
                let b = example_flat(&wt_of(&path), &o).to_json();
                assert_eq!(a, b, "{}", path.display());
                let parsed: serde_json::Value = serde_json::from_str(&a).unwrap_or_else(|e| panic!("{e}\n{a}"));
                let via_serde = serde_json::to_value(example_flat(&wt, &o)).unwrap();
                assert_eq!(parsed, via_serde, "{}", path.display());
                let s = example_structured(&wt, &o).to_json();
                let parsed: serde_json::Value = serde_json::from_str(&s).unwrap_or_else(|e| panic!("{e}\n{s}"));
                assert_eq!(parsed, serde_json::to_value(example_structured(&wt, &o)).unwrap());
            }
        }
    }
}

#[test]
fn structured_nests_the_flat_keys() {
    for path in corpus() {
        let wt = wt_of(&path);
        let flat = example_flat(&wt, &options(ExampleKind::Input, DetailLevel::Complete));
        let structured = to_structured(&flat);
        let root = structured.get(&wt.tree.id).unwrap_or_else(|| panic!("{}", path.display()));
        assert!(matches!(root, Structured::Object(_)));
        let expected = unindexed(flat.entries.iter().map(|(k, _)| k.clone()));
        let got = unindexed(flatten(&structured).into_iter());
        assert_eq!(expected, got, "{}", path.display());
    }
}

/// The real STRUCTURED fixtures nest like ours: the same flattened key set as their FLAT twins.
#[test]
fn structured_fixtures_match_their_flat_twins() {
    for name in ["corona.json", "multi_list.json"] {
        let read =
            |p: &str| -> serde_json::Value { serde_json::from_str(&fs::read_to_string(fixture(p)).unwrap()).unwrap() };
        let flat_json = read(&format!("flat/flat/{name}"));
        let structured_json = read(&format!("flat/structured/{name}"));
        let flat = FlatComposition {
            entries: flat_json
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), FlatValue::Text(v.to_string())))
                .collect(),
        };
        let ours: serde_json::Value = serde_json::to_value(to_structured(&flat)).unwrap();
        let keys = |v: &serde_json::Value| -> BTreeSet<String> {
            fn walk(v: &serde_json::Value, path: &str, out: &mut BTreeSet<String>) {
                match v {
                    serde_json::Value::Object(m) => {
                        for (k, c) in m {
                            walk(c, &format!("{path}/{k}"), out);
                        }
                    }
                    serde_json::Value::Array(a) => {
                        for (i, c) in a.iter().enumerate() {
                            walk(c, &format!("{path}[{i}]"), out);
                        }
                    }
                    _ => {
                        out.insert(path.to_owned());
                    }
                }
            }
            let mut out = BTreeSet::new();
            walk(v, "", &mut out);
            out
        };
        assert_eq!(keys(&ours), keys(&structured_json), "{name}");
    }
}

/// Share of the real FLAT fixtures' keys that a complete output example also writes (indexes
/// ignored), and share of them that are web template paths at all. A figure, not an assertion.
#[test]
fn key_share_with_real_flat_fixtures() {
    let manifest = fs::read_to_string(fixture("flat/MANIFEST.tsv")).unwrap();
    let mut total = (0usize, 0usize, 0usize, 0usize);
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [composition, template, ..] = cols.as_slice() else { continue };
        if !composition.starts_with("flat/") {
            continue;
        }
        let real: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(fixture(&format!("flat/{composition}"))).unwrap()).unwrap();
        let wt = wt_of(&fixture(&format!("flat/{template}")));
        let nodes = index(&wt);
        let ours = unindexed(
            example_flat(&wt, &options(ExampleKind::Output, DetailLevel::Complete)).entries.into_iter().map(|(k, _)| k),
        );
        let real_keys: BTreeSet<String> =
            unindexed(real.as_object().unwrap().keys().filter(|k| !k.starts_with("ctx/")).cloned());
        let is_path = |k: &String| nodes.contains_key(k.split('|').next().unwrap_or(k));
        let shared = real_keys.iter().filter(|k| ours.contains(*k)).count();
        let paths = real_keys.iter().filter(|k| is_path(k)).count();
        let shared_paths = real_keys.iter().filter(|k| is_path(k) && ours.contains(*k)).count();
        total = (total.0 + real_keys.len(), total.1 + shared, total.2 + paths, total.3 + shared_paths);
        eprintln!(
            "{composition}: {shared}/{} real keys written ({:.0}%); {shared_paths}/{paths} of those on web template paths ({:.0}%)",
            real_keys.len(),
            100.0 * shared as f64 / real_keys.len().max(1) as f64,
            100.0 * shared_paths as f64 / paths.max(1) as f64,
        );
        let missed: Vec<&String> = real_keys.iter().filter(|k| is_path(k) && !ours.contains(*k)).take(6).collect();
        if !missed.is_empty() {
            eprintln!("   on a path but not written, e.g. {missed:?}");
        }
    }
    eprintln!(
        "overall: {}/{} real keys written ({:.1}%); {}/{} of those on web template paths ({:.1}%)",
        total.1,
        total.0,
        100.0 * total.1 as f64 / total.0.max(1) as f64,
        total.3,
        total.2,
        100.0 * total.3 as f64 / total.2.max(1) as f64
    );
}

#[test]
fn vital_signs_input_example_looks_like_a_client_post() {
    let wt = wt_of(&fixture("flat/templates/EHRN Vital signs.v2.opt"));
    assert_eq!(ExampleOptions::default(), options(ExampleKind::Input, DetailLevel::Required));
    let flat = example_flat(&wt, &options(ExampleKind::Input, DetailLevel::Medium));
    let json = flat.to_json();
    assert!(flat.get("ctx/language").is_some() && flat.get("ctx/composer_name").is_some(), "{json}");
    assert!(flat.get("ehrn_vital_signs.v2/language|code").is_none(), "{json}");
    assert!(
        flat.entries
            .iter()
            .any(|(k, _)| k.starts_with("ehrn_vital_signs.v2/vital_signs:0/blood_pressure:0/any_event:0/")),
        "{json}"
    );
    let output = example_flat(&wt, &options(ExampleKind::Output, DetailLevel::Medium));
    assert_eq!(output.get("ehrn_vital_signs.v2/language|code").and_then(|v| v.as_str()), Some("en"));
    assert_eq!(output.get("ehrn_vital_signs.v2/category|code").and_then(|v| v.as_str()), Some("433"));
}

/// Prints the examples of the OPT named by `EXAMPLE_OPT` (a path under `tests/fixtures`).
#[test]
#[ignore = "prints an example for inspection"]
fn dump() {
    let Ok(path) = std::env::var("EXAMPLE_OPT") else { return };
    let wt = wt_of(&fixture(&path));
    let detail = match std::env::var("EXAMPLE_DETAIL").as_deref() {
        Ok("required") => DetailLevel::Required,
        Ok("medium") => DetailLevel::Medium,
        _ => DetailLevel::Complete,
    };
    let kind =
        if std::env::var("EXAMPLE_KIND").as_deref() == Ok("input") { ExampleKind::Input } else { ExampleKind::Output };
    let o = options(kind, detail);
    match std::env::var("EXAMPLE_FORMAT").as_deref() {
        Ok("structured") => println!("{}", example_structured(&wt, &o).to_json()),
        Ok("canonical") => println!("{}", openehr_definitions::example::example_canonical(&wt, &o).to_json()),
        Ok("xml") => println!("{}", openehr_definitions::example::example_xml(&wt, &o)),
        Ok("wt") => println!("{}", serde_json::to_string_pretty(&wt).unwrap()),
        _ => println!("{}", example_flat(&wt, &o).to_json()),
    }
}

/// Canonical RM JSON: every object has a `_type`, LOCATABLEs have a name and an archetype node
/// id, archetype roots have `archetype_details`, and every FLAT leaf value appears in it.
#[test]
fn canonical_examples_are_rm_shaped() {
    fn check(v: &serde_json::Value, path: &str, problems: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if !m.contains_key("_type") {
                    problems.push(format!("{path}: no _type"));
                }
                if m.contains_key("archetype_node_id") && !m.contains_key("name") {
                    problems.push(format!("{path}: LOCATABLE without name"));
                }
                if m.get("archetype_node_id").and_then(|v| v.as_str()).is_some_and(|id| id.starts_with("openEHR-"))
                    && !m.contains_key("archetype_details")
                {
                    problems.push(format!("{path}: archetype root without archetype_details"));
                }
                for (k, c) in m {
                    if k != "_type" {
                        check(c, &format!("{path}/{k}"), problems);
                    }
                }
            }
            serde_json::Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    check(c, &format!("{path}[{i}]"), problems);
                }
            }
            _ => {}
        }
    }
    let mut problems = Vec::new();
    for path in corpus() {
        let wt = wt_of(&path);
        for detail in LEVELS {
            let o = options(ExampleKind::Output, detail);
            let canonical = openehr_definitions::example::example_canonical(&wt, &o);
            let json: serde_json::Value = serde_json::from_str(&canonical.to_json()).unwrap();
            assert_eq!(json["_type"], "COMPOSITION", "{}", path.display());
            assert!(json["archetype_details"]["template_id"]["value"].is_string(), "{}", path.display());
            let mut p = Vec::new();
            check(&json, "", &mut p);
            problems.extend(p.into_iter().map(|p| format!("{} {detail:?}: {p}", path.display())));
            // Every FLAT value shows up somewhere in the canonical text.
            let text = canonical.to_json();
            for (key, value) in example_flat(&wt, &o).entries {
                let needle = match &value {
                    FlatValue::Text(s) => serde_json::to_string(s).unwrap(),
                    _ => continue,
                };
                if !text.contains(&needle) {
                    problems.push(format!("{} {detail:?}: {key} = {needle} missing", path.display()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems[..problems.len().min(40)].join("\n"));
}

/// Element order per RM type from the openEHR XML schema (`tests/fixtures/rm-xsd`): a type's
/// sequence after its base's, following `xs:extension`.
fn xsd_orders() -> BTreeMap<String, Vec<String>> {
    use quick_xml::events::Event;
    let mut own: BTreeMap<String, (Option<String>, Vec<String>)> = BTreeMap::new();
    for f in ["BaseTypes", "Structure", "Content", "Composition"] {
        let text = fs::read_to_string(fixture(&format!("rm-xsd/{f}.xsd"))).unwrap();
        let mut reader = quick_xml::Reader::from_str(&text);
        let mut stack: Vec<String> = Vec::new();
        let mut current: Option<String> = None;
        loop {
            let event = reader.read_event().unwrap();
            let (start, empty) = match &event {
                Event::Start(e) => (Some(e.clone()), false),
                Event::Empty(e) => (Some(e.clone()), true),
                Event::End(_) => {
                    if stack.pop().as_deref() == Some("xs:complexType") && !stack.contains(&"xs:complexType".to_owned())
                    {
                        current = None;
                    }
                    continue;
                }
                Event::Eof => break,
                _ => continue,
            };
            let Some(e) = start else { continue };
            let tag = e.name().0.to_owned();
            let attr = |name: &str| e.attributes().flatten().find(|a| a.key.0 == name).map(|a| a.value.to_string());
            match tag.as_str() {
                "xs:complexType" if stack.last().map(String::as_str) == Some("xs:schema") => {
                    current = attr("name");
                    if let Some(n) = &current {
                        own.entry(n.clone()).or_default();
                    }
                }
                "xs:extension" => {
                    if let Some(n) = &current {
                        own.entry(n.clone()).or_default().0 = attr("base");
                    }
                }
                "xs:element" if stack.last().map(String::as_str) == Some("xs:sequence") => {
                    let depth_ok = stack.iter().filter(|t| *t == "xs:complexType").count() == 1;
                    if let (Some(n), Some(name), true) = (&current, attr("name"), depth_ok) {
                        own.entry(n.clone()).or_default().1.push(name);
                    }
                }
                _ => {}
            }
            if !empty {
                stack.push(tag);
            }
        }
    }
    let mut out = BTreeMap::new();
    for name in own.keys() {
        let mut chain = Vec::new();
        let mut at = Some(name.clone());
        while let Some(t) = at {
            let Some((base, elements)) = own.get(&t) else { break };
            chain.push(elements.clone());
            at = base.clone();
        }
        out.insert(name.clone(), chain.into_iter().rev().flatten().collect());
    }
    out
}

/// Canonical RM XML: well-formed, in the openEHR namespace, every typed element's children in the
/// schema's order and known to the schema, every FLAT text value present.
#[test]
fn xml_examples_follow_the_schema_order() {
    use quick_xml::events::Event;
    let orders = xsd_orders();
    assert!(orders.get("OBSERVATION").is_some_and(|o| o.first().map(String::as_str) == Some("name")), "{orders:?}");
    let mut problems = Vec::new();
    for path in corpus() {
        let wt = wt_of(&path);
        for detail in LEVELS {
            let o = options(ExampleKind::Output, detail);
            let xml = openehr_definitions::example::example_xml(&wt, &o);
            assert!(xml.contains("<composition xmlns=\"http://schemas.openehr.org/v1\""), "{}", path.display());
            let mut reader = quick_xml::Reader::from_str(&xml);
            // (type, children seen) per open element.
            let mut stack: Vec<(String, Vec<String>)> = Vec::new();
            let mut texts = String::new();
            loop {
                let event = reader.read_event().unwrap_or_else(|e| panic!("{}: {e}\n{xml}", path.display()));
                let (e, empty) = match &event {
                    Event::Start(e) => (e.clone(), false),
                    Event::Empty(e) => (e.clone(), true),
                    Event::Text(t) => {
                        texts.push_str(&t.clone().into_inner());
                        continue;
                    }
                    Event::GeneralRef(r) => {
                        if let Some(s) = quick_xml::escape::resolve_predefined_entity(r) {
                            texts.push_str(s);
                        }
                        continue;
                    }
                    Event::End(_) => {
                        let (ty, children) = stack.pop().unwrap();
                        if let Some(order) = orders.get(&ty) {
                            let ranks: Vec<Option<usize>> =
                                children.iter().map(|c| order.iter().position(|o| o == c)).collect();
                            if ranks.iter().any(Option::is_none) || ranks.windows(2).any(|w| w[0] > w[1]) {
                                problems.push(format!(
                                    "{} {detail:?}: {ty} children {children:?} vs {order:?}",
                                    path.display()
                                ));
                            }
                        }
                        continue;
                    }
                    Event::Eof => break,
                    _ => continue,
                };
                let name = e.name().0.to_owned();
                if let Some((_, siblings)) = stack.last_mut() {
                    siblings.push(name.clone());
                }
                let ty = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.0 == "xsi:type")
                    .map(|a| a.value.to_string())
                    .unwrap_or_else(|| if name == "composition" { "COMPOSITION".to_owned() } else { String::new() });
                if !empty {
                    stack.push((ty, Vec::new()));
                }
            }
            for (key, value) in example_flat(&wt, &o).entries {
                if let FlatValue::Text(s) = value
                    && !texts.contains(&s)
                {
                    problems.push(format!("{} {detail:?}: {key} = {s} missing", path.display()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems[..problems.len().min(30)].join("\n"));
}

/// Mandatory RM attributes per type (openEHR RM 1.0.x), beyond LOCATABLE's name and node id.
fn rm_mandatory(rm_type: &str) -> &'static [&'static str] {
    const ENTRY: &[&str] = &["language", "encoding", "subject"];
    match rm_type {
        "COMPOSITION" => &["language", "territory", "category", "composer", "archetype_details"],
        "EVENT_CONTEXT" => &["start_time", "setting"],
        "OBSERVATION" => &["language", "encoding", "subject", "data"],
        "EVALUATION" | "ADMIN_ENTRY" => &["language", "encoding", "subject", "data"],
        "INSTRUCTION" => &["language", "encoding", "subject", "narrative"],
        "ACTION" => &["language", "encoding", "subject", "time", "ism_transition", "description"],
        "GENERIC_ENTRY" => ENTRY,
        "HISTORY" => &["origin"],
        "EVENT" | "POINT_EVENT" | "INTERVAL_EVENT" => &["time", "data"],
        "ACTIVITY" => &["description", "action_archetype_id"],
        "ISM_TRANSITION" => &["current_state"],
        "ELEMENT" => &["value"],
        "DV_CODED_TEXT" => &["value", "defining_code"],
        "DV_QUANTITY" => &["magnitude", "units"],
        "DV_ORDINAL" => &["value", "symbol"],
        "DV_PROPORTION" => &["numerator", "denominator", "type"],
        "DV_INTERVAL" => &["lower_unbounded", "upper_unbounded"],
        "DV_MULTIMEDIA" => &["media_type", "size"],
        "DV_PARSABLE" => &["value", "formalism"],
        "CODE_PHRASE" => &["terminology_id", "code_string"],
        _ => &[],
    }
}

/// Required and medium canonical examples hold every mandatory RM attribute of every object.
#[test]
fn canonical_examples_hold_mandatory_rm_attributes() {
    fn check(v: &serde_json::Value, path: &str, problems: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                let ty = m.get("_type").and_then(|t| t.as_str()).unwrap_or("");
                for attr in rm_mandatory(ty) {
                    if !m.contains_key(*attr) {
                        problems.push(format!("{path}: {ty} without {attr}"));
                    }
                }
                if m.contains_key("archetype_node_id") && !m.contains_key("name") {
                    problems.push(format!("{path}: {ty} without name"));
                }
                for (k, c) in m {
                    check(c, &format!("{path}/{k}"), problems);
                }
            }
            serde_json::Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    check(c, &format!("{path}[{i}]"), problems);
                }
            }
            _ => {}
        }
    }
    let mut problems = Vec::new();
    for path in corpus() {
        let wt = wt_of(&path);
        for detail in [DetailLevel::Required, DetailLevel::Medium] {
            let canonical = openehr_definitions::example::example_canonical(&wt, &options(ExampleKind::Output, detail));
            let json: serde_json::Value = serde_json::from_str(&canonical.to_json()).unwrap();
            let mut p = Vec::new();
            check(&json, "", &mut p);
            problems.extend(p.into_iter().map(|p| format!("{} {detail:?}: {p}", path.display())));
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems[..problems.len().min(40)].join("\n"));
}

#[test]
fn formats_by_media_type() {
    use openehr_definitions::example::{ExampleFormat, example};
    let wt = wt_of(&fixture("flat/templates/EHRN Vital signs.v2.opt"));
    for format in ExampleFormat::ALL {
        assert_eq!(ExampleFormat::from_media_type(&format!("{}; charset=utf-8", format.media_type())), Some(format));
        let body = example(&wt, format, &ExampleOptions::default());
        match format {
            ExampleFormat::Xml => assert!(body.starts_with("<?xml")),
            _ => {
                serde_json::from_str::<serde_json::Value>(&body).unwrap();
            }
        }
    }
    assert_eq!(ExampleFormat::from_media_type("text/html"), None);
}

/// The language option sets `ctx/language`, the `language` codes and the labels of coded values.
#[test]
fn language_option_localizes_labels() {
    let wt = wt_of(&fixture("web-template/ehrbase-openEHR_SDK/operationaltemplate/language_test.opt"));
    assert!(wt.languages.len() > 1, "{:?}", wt.languages);
    for language in &wt.languages {
        let o = ExampleOptions {
            kind: ExampleKind::Input,
            detail: DetailLevel::Complete,
            language: Some(language.clone()),
        };
        let flat = example_flat(&wt, &o);
        assert_eq!(flat.get("ctx/language").and_then(|v| v.as_str()), Some(language.as_str()));
        assert!(problems(&wt, &flat).is_empty(), "{language}: {:?}", problems(&wt, &flat));
        let nodes = index(&wt);
        for (key, value) in &flat.entries {
            let (path, suffix) = normalize(key);
            let (Some(node), "value") = (nodes.get(&path), suffix.as_str()) else { continue };
            let Some(code) = flat.get(&key.replace("|value", "|code")).and_then(|v| v.as_str()) else { continue };
            let Some(item) = node.inputs.iter().flat_map(|i| &i.list).find(|v| v.value == code) else { continue };
            if let Some(label) = item.localized_labels.get(language).filter(|l| !l.is_empty()) {
                assert_eq!(value.as_str(), Some(label.as_str()), "{key} in {language}");
            }
        }
    }
}
