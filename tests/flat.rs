//! FLAT composition validation over the real EHRbase SDK compositions (tests/fixtures/flat/),
//! one named test per fixture, table-driven tests of every FLAT code with exact positions, and
//! the STRUCTURED conversions.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use openehr_definitions::flat::{
    FlatReport, flat_to_structured, structured_to_flat, validate_flat, validate_flat_bytes, validate_flat_opt,
};
use openehr_definitions::web_template::{Node, WebTemplate, web_template};
use openehr_definitions::{Code, Severity};

const DIR: &str = "tests/fixtures/flat";

/// composition file -> template file (tests/fixtures/flat/MANIFEST.tsv).
fn manifest() -> &'static BTreeMap<String, String> {
    static M: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    M.get_or_init(|| {
        include_str!("fixtures/flat/MANIFEST.tsv")
            .lines()
            .skip(1)
            .filter_map(|l| {
                let mut f = l.split('\t');
                Some((f.next()?.to_string(), f.next()?.to_string()))
            })
            .collect()
    })
}

fn wt(template: &str) -> WebTemplate {
    let opt = std::fs::read(format!("{DIR}/{template}")).unwrap();
    web_template(&opt, &Default::default()).unwrap()
}

fn read(file: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{file}")).unwrap()
}

fn run(file: &str) -> FlatReport {
    validate_flat(&wt(&manifest()[file]), &read(file))
}

fn errors(r: &FlatReport) -> Vec<&'static str> {
    r.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| d.code.as_str()).collect()
}

macro_rules! valid {
    ($($name:ident => $file:literal,)*) => {$(
        #[test]
        fn $name() {
            let r = run($file);
            assert!(r.valid, "{:#?}", r.diagnostics);
            assert!(r.diagnostics.is_empty(), "{:#?}", r.diagnostics);
        }
    )*};
}

valid! {
    alternative_events => "flat/AlternativeEvents.json",
    alternative_events2 => "flat/AlternativeEvents2.json",
    ereact_covid_status_monitoring => "flat/EREACT - Covid status monitoring - FLAT.json",
    ereact_deterioration_assessment => "flat/EREACT - Deterioration_assessment.json",
    idcr_adverse_reaction_list => "flat/IDCR - Adverse Reaction List.json",
    vitalsigns => "flat/Vitalsigns.json",
    corona => "flat/corona.json",
    corona_with_feeder_audit_raw => "flat/corona_with_feeder_audit_raw.json",
    corona_with_raw => "flat/corona_with_raw.json",
    duration_validation => "flat/duration_validation.json",
    conformance_element_feeder_audit => "flat/ehrbase_conformance_Element_feeder_audit.json",
    conformance_element_null_flavor => "flat/ehrbase_conformance_Element_null_flavor.json",
    conformance_action => "flat/ehrbase_conformance_action.json",
    conformance_admin_entry => "flat/ehrbase_conformance_admin_entry.json",
    conformance_cluster => "flat/ehrbase_conformance_cluster.json",
    conformance_composition => "flat/ehrbase_conformance_composition.json",
    conformance_dv_boolean => "flat/ehrbase_conformance_data_types_dv_boolean.json",
    conformance_dv_coded_text => "flat/ehrbase_conformance_data_types_dv_coded_text.json",
    conformance_dv_coded_text_as_dv_text => "flat/ehrbase_conformance_data_types_dv_coded_text_as_dv_text.json",
    conformance_dv_count => "flat/ehrbase_conformance_data_types_dv_count.json",
    conformance_dv_date => "flat/ehrbase_conformance_data_types_dv_date.json",
    conformance_dv_date_time => "flat/ehrbase_conformance_data_types_dv_date_time.json",
    conformance_dv_duration => "flat/ehrbase_conformance_data_types_dv_duration.json",
    conformance_dv_ehr_uri => "flat/ehrbase_conformance_data_types_dv_ehr_uri.json",
    conformance_dv_identifier => "flat/ehrbase_conformance_data_types_dv_identifier.json",
    conformance_dv_multimedia => "flat/ehrbase_conformance_data_types_dv_multimedia.json",
    conformance_dv_ordinal => "flat/ehrbase_conformance_data_types_dv_ordinal.json",
    conformance_dv_parsable => "flat/ehrbase_conformance_data_types_dv_parsable.json",
    conformance_dv_proportion => "flat/ehrbase_conformance_data_types_dv_proportion.json",
    conformance_dv_quantity => "flat/ehrbase_conformance_data_types_dv_quantity.json",
    conformance_dv_text => "flat/ehrbase_conformance_data_types_dv_text.json",
    conformance_dv_time => "flat/ehrbase_conformance_data_types_dv_time.json",
    conformance_dv_uri => "flat/ehrbase_conformance_data_types_dv_uri.json",
    conformance_interval_dv_quantity => "flat/ehrbase_conformance_data_types_interval_dv_quantity.json",
    conformance_evaluation => "flat/ehrbase_conformance_evaluation.json",
    conformance_feeder_audit_multimedia => "flat/ehrbase_conformance_feeder_audit_multimedia.json",
    conformance_instruction => "flat/ehrbase_conformance_instruction.json",
    conformance_interval_event => "flat/ehrbase_conformance_interval_event.json",
    conformance_observation => "flat/ehrbase_conformance_observation.json",
    conformance_party_identified => "flat/ehrbase_conformance_party_identified.json",
    conformance_party_related => "flat/ehrbase_conformance_party_related.json",
    conformance_party_self => "flat/ehrbase_conformance_party_self.json",
    conformance_point_event => "flat/ehrbase_conformance_point_event.json",
    conformance_section => "flat/ehrbase_conformance_section.json",
    ism_valid_transition => "flat/ism_vaild_transition.json",
    multi_list => "flat/multi_list.json",
    multi_occurrence => "flat/multi_occurrence.json",
    nested => "flat/nested.en.v1.json",
    wordwithandin => "flat/wordwithandin_test.json",
    structured_corona => "structured/corona.json",
    structured_multi_list => "structured/multi_list.json",
}

/// Index-less keys on a repeatable EVENT: the SDK reads them as `:0`, so the composition is
/// valid, with one FLAT013 warning per key.
#[test]
fn flat_with_missing_count() {
    let r = run("flat/flat_with_missing_count.json");
    assert!(r.valid, "{:#?}", r.diagnostics);
    assert_eq!(r.diagnostics.len(), 7);
    assert!(r.diagnostics.iter().all(|d| d.code == Code::FlatMissingIndex));
    assert_eq!(r.diagnostics[0].path, "encounter/body_temperature:0/any_event/temperature|magnitude");
}

/// careflow_step at0109 ("Medication recommended") is in state planned (526); the composition
/// says active (245) with a `cancel` transition, which ends in cancelled (528).
#[test]
fn ism_wrong_current_state() {
    let r = run("flat/ism_wrong_current_state.json");
    assert_eq!(errors(&r), ["FLAT040", "FLAT041"]);
    assert_eq!((r.diagnostics[0].line, r.diagnostics[0].column), (42, 5));
    assert_eq!(
        r.diagnostics[0].path,
        "test-ism.vitagroup.de.v1/medication_management/ism_transition/current_state|code"
    );
}

/// The same composition as `ism_wrong_current_state` (the SDK keeps both names).
#[test]
fn ism_invalid_current_state() {
    assert_eq!(errors(&run("flat/ism_invalid_current_state.json")), ["FLAT040", "FLAT041"]);
}

/// at0109 is in state planned; current_state cancelled with no transition saying how.
#[test]
fn ism_missing_transition() {
    let r = run("flat/ism_missing_transition.json");
    assert_eq!(errors(&r), ["FLAT042"]);
    assert_eq!((r.diagnostics[0].line, r.diagnostics[0].column), (42, 5));
}

/// Written for the SDK's round-trip tests, not against its template's constraints: the mandatory
/// context/context_coded_text is absent and partial_date has a day its pattern `yyyy-??-XX` forbids.
#[test]
fn test_all_types() {
    let r = run("flat/test_all_types.json");
    assert_eq!(errors(&r), ["FLAT030", "FLAT023"]);
    assert_eq!(r.diagnostics[0].path, "test_all_types/context/context_coded_text");
    assert_eq!((r.diagnostics[1].line, r.diagnostics[1].column), (63, 106));
}

#[test]
fn every_fixture_has_a_test() {
    assert_eq!(manifest().len(), 56);
}

// --- Each code, with exact positions, on the small duration_validation template ---

fn a1() -> &'static WebTemplate {
    static W: OnceLock<WebTemplate> = OnceLock::new();
    W.get_or_init(|| wt("templates/duration_validation.opt"))
}

/// A composition text and the (code, line, column, path) it must yield, in order.
type Case<'a> = (&'a str, &'a [(&'a str, u32, u32, &'a str)]);
/// One expected finding with an owned path.
type Want = (&'static str, u32, u32, String);

const EV: &str = "a1/blood_pressure/any_event:0";

#[test]
fn codes_with_positions() {
    let cases: &[Case] = &[
        ("{", &[("FLAT001", 1, 2, "")]),
        ("[]", &[("FLAT001", 1, 1, "")]),
        (r#"{"a1/nope": 1}"#, &[("FLAT010", 1, 2, "a1/nope")]),
        (r#"{"b1/context/start_time": 1}"#, &[("FLAT010", 1, 2, "b1/context/start_time")]),
        (r#"{"a1/_nope": 1}"#, &[("FLAT010", 1, 2, "a1/_nope")]),
        (
            r#"{"a1/blood_pressure/any_event:0/systolic|foo": 1}"#,
            &[("FLAT011", 1, 2, "a1/blood_pressure/any_event:0/systolic|foo")],
        ),
        (
            r#"{"a1/blood_pressure:0/any_event:0/time": "2022-01-01T00:00:00Z"}"#,
            &[("FLAT012", 1, 2, "a1/blood_pressure:0/any_event:0/time")],
        ),
        (
            r#"{"a1/blood_pressure/any_event:01/time": "2022-01-01"}"#,
            &[("FLAT012", 1, 2, "a1/blood_pressure/any_event:01/time")],
        ),
        (
            r#"{"a1/blood_pressure/any_event/time": "2022-01-01"}"#,
            &[("FLAT013", 1, 2, "a1/blood_pressure/any_event/time")],
        ),
        ("{\n \"ctx/nonsense\": 1}", &[("FLAT014", 2, 2, "ctx/nonsense")]),
        (r#"{"x": 1, "x": 2}"#, &[("FLAT010", 1, 2, "x"), ("FLAT003", 1, 10, "x")]),
        (r#"{"a1/context/start_time": {"a": 1}}"#, &[("FLAT002", 1, 27, "a1/context/start_time")]),
    ];
    check(a1(), cases);
}

#[test]
fn value_codes_with_positions() {
    let k = |s: &str| format!("{EV}/{s}");
    let mag = k("systolic|magnitude");
    let col = mag.len() as u32 + 6; // `{"` + key + `": ` puts the value there
    let owned: Vec<(String, Vec<Want>)> = vec![
        (format!(r#"{{"{mag}": "x"}}"#), vec![("FLAT020", 1, col, mag.clone())]),
        (format!(r#"{{"{mag}": 1000}}"#), vec![("FLAT021", 1, col, mag.clone())]),
        (format!(r#"{{"{mag}": 12.5}}"#), vec![("FLAT025", 1, col, mag.clone())]),
        (format!(r#"{{"{mag}": 12.0}}"#), vec![]),
        (
            format!(r#"{{"{}": "at9999"}}"#, k("position|code")),
            vec![("FLAT022", 1, k("position|code").len() as u32 + 6, k("position|code"))],
        ),
        (
            format!(r#"{{"{}": "kg"}}"#, k("systolic|unit")),
            vec![("FLAT024", 1, k("systolic|unit").len() as u32 + 6, k("systolic|unit"))],
        ),
        (format!(r#"{{"{}": "yesterday"}}"#, k("time")), vec![("FLAT026", 1, k("time").len() as u32 + 6, k("time"))]),
        (
            r#"{"a1/blood_pressure/a24_hour_average/width": "PT23H"}"#.into(),
            vec![
                ("FLAT030", 1, 2, "a1/blood_pressure/a24_hour_average/math_function".into()),
                ("FLAT021", 1, 46, "a1/blood_pressure/a24_hour_average/width".into()),
            ],
        ),
        (
            r#"{"a1/blood_pressure/a24_hour_average/width": "24 hours"}"#.into(),
            vec![
                ("FLAT030", 1, 2, "a1/blood_pressure/a24_hour_average/math_function".into()),
                ("FLAT026", 1, 46, "a1/blood_pressure/a24_hour_average/width".into()),
            ],
        ),
    ];
    for (text, want) in &owned {
        let got = summary(&validate_flat(a1(), text));
        let want: Vec<(String, u32, u32, String)> =
            want.iter().map(|(c, l, co, p)| (c.to_string(), *l, *co, p.clone())).collect();
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn too_many_and_too_few() {
    let mut w = a1().clone();
    let event = find(&mut w.tree, "any_event");
    event.max = 2;
    event.min = 0;
    let t = r#"{"a1/blood_pressure/any_event:0/time": "2022-01-01", "a1/blood_pressure/any_event:1/time": "2022-01-01",
"a1/blood_pressure/any_event:5/time": "2022-01-01"}"#;
    assert_eq!(summary(&validate_flat(&w, t)), [("FLAT031".into(), 2, 1, "a1/blood_pressure/any_event:5/time".into())]);
    find(&mut w.tree, "any_event").min = 2;
    let t = r#"{"a1/blood_pressure/any_event:0/time": "2022-01-01"}"#;
    assert_eq!(summary(&validate_flat(&w, t)), [("FLAT030".into(), 1, 2, "a1/blood_pressure/any_event".into())]);
}

#[test]
fn pattern_code() {
    let w = wt("templates/Test_all_types.opt");
    let key = "test_all_types/test_all_types3:0/section_2/section_3/test_all_types:0/current_activity/partial_date";
    let r = validate_flat(&w, &format!(r#"{{"{key}": "2019-01"}}"#));
    assert!(!errors(&r).contains(&"FLAT023"), "{:#?}", r.diagnostics);
    let r = validate_flat(&w, &format!(r#"{{"{key}": "2019-01-02"}}"#));
    assert!(errors(&r).contains(&"FLAT023"));
}

#[test]
fn every_flat_code_is_tested_here() {
    let src = include_str!("flat.rs");
    for c in Code::ALL.iter().filter(|c| c.as_str().starts_with("FLAT")) {
        assert!(src.matches(&format!("\"{}\"", c.as_str())).count() >= 1, "{} untested", c.as_str());
    }
}

#[test]
fn opt_convenience() {
    let opt = std::fs::read(format!("{DIR}/templates/duration_validation.opt")).unwrap();
    assert!(validate_flat_opt(&opt, &read("flat/duration_validation.json")).unwrap().valid);
    assert!(validate_flat_opt(b"<nope/>", "{}").is_err());
}

fn find<'a>(n: &'a mut Node, id: &str) -> &'a mut Node {
    let mut stack = vec![n];
    while let Some(n) = stack.pop() {
        if n.id == id {
            return n;
        }
        stack.extend(n.children.iter_mut());
    }
    panic!("no {id}")
}

fn summary(r: &FlatReport) -> Vec<(String, u32, u32, String)> {
    r.diagnostics.iter().map(|d| (d.code.as_str().to_string(), d.line, d.column, d.path.clone())).collect()
}

fn check(w: &WebTemplate, cases: &[Case]) {
    for (text, want) in cases {
        let got = summary(&validate_flat(w, text));
        let want: Vec<(String, u32, u32, String)> =
            want.iter().map(|(c, l, co, p)| (c.to_string(), *l, *co, p.to_string())).collect();
        assert_eq!(got, want, "{text}");
    }
}

// --- Conversions ---

/// FLAT -> STRUCTURED -> FLAT gives back the same keys and values, for every FLAT fixture whose
/// keys carry their indexes.
#[test]
fn flat_structured_round_trip() {
    let mut n = 0;
    for (file, template) in manifest().iter().filter(|(f, _)| f.starts_with("flat/") && !f.contains("missing_count")) {
        let w = wt(template);
        let flat = read(file);
        let structured = flat_to_structured(&flat).unwrap();
        assert!(
            validate_flat(&w, &structured).diagnostics.len() == validate_flat(&w, &flat).diagnostics.len(),
            "{file}"
        );
        let back = structured_to_flat(&w, &structured).unwrap();
        let (a, b) = (pairs(&back), pairs(&flat));
        assert_eq!(a.symmetric_difference(&b).collect::<Vec<_>>(), Vec::<&(String, String)>::new(), "{file}");
        n += 1;
    }
    assert_eq!(n, 53);
}

/// STRUCTURED -> FLAT -> STRUCTURED gives back the same document, and the FLAT form of the
/// STRUCTURED fixtures is the FLAT fixture written for the same template.
#[test]
fn structured_flat_round_trip() {
    for name in ["corona", "multi_list"] {
        let file = format!("structured/{name}.json");
        let w = wt(&manifest()[&file]);
        let structured = read(&file);
        let flat = structured_to_flat(&w, &structured).unwrap();
        assert!(validate_flat(&w, &flat).valid, "{name}");
        let again = flat_to_structured(&flat).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&again).unwrap(),
            serde_json::from_str::<serde_json::Value>(&structured).unwrap(),
            "{name}"
        );
    }
}

fn pairs(text: &str) -> BTreeSet<(String, String)> {
    let v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text).unwrap();
    v.into_iter().map(|(k, v)| (k, v.to_string())).collect()
}

// --- Never a panic ---

fn positions_inside(text: &str, r: &FlatReport) {
    let lines: Vec<&str> = text.split('\n').collect();
    for d in &r.diagnostics {
        assert!(d.line >= 1 && d.column >= 1 && (d.line as usize) <= lines.len(), "{d}");
        assert!(d.column as usize <= lines[d.line as usize - 1].chars().count() + 1, "{d}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Truncated and byte-damaged real compositions: diagnostics, never a panic, always positioned
    /// inside the text.
    #[test]
    fn damaged_compositions(cut in 0usize..40_000, at in 0usize..40_000, byte in proptest::prelude::any::<u8>()) {
        let w = a1();
        let mut bytes = read("flat/EREACT - Deterioration_assessment.json").into_bytes();
        let n = bytes.len();
        bytes[at % n] = byte;
        bytes.truncate(cut % (n + 1));
        let text = String::from_utf8_lossy(&bytes);
        positions_inside(&text, &validate_flat(w, &text));
        let _ = flat_to_structured(&text);
        let _ = structured_to_flat(w, &text);
    }
}

#[test]
fn deep_and_odd_inputs() {
    let w = a1();
    for text in [
        "[".repeat(100_000),
        format!("{{\"{}\": 1}}", "a/".repeat(100_000)),
        format!("{{\"a1\": {}{}}}", "{\"x\": [".repeat(120), "1".to_string() + &"]}".repeat(120)),
        "{\"a1/blood_pressure/any_event:4294967296/time\": 1}".into(),
        "{\"a1/blood_pressure/any_event:0/systolic|magnitude\": 1e999}".into(),
        "{\"a1/blood_pressure/a24_hour_average/width\": \"P\u{e9}T1H\"}".into(),
    ] {
        positions_inside(&text, &validate_flat(w, &text));
        let _ = flat_to_structured(&text);
        let _ = structured_to_flat(w, &text);
    }
}

/// DV_ORDINAL codes are checked through `|code`, and its `|ordinal` must be a number.
#[test]
fn ordinal_codes() {
    let file = "flat/ehrbase_conformance_data_types_dv_ordinal.json";
    let w = wt(&manifest()[file]);
    let text = read(file);
    let bad = text.replacen("dv_ordinal|code\": \"at0015\"", "dv_ordinal|code\": \"at9999\"", 1);
    assert_eq!(errors(&validate_flat(&w, &bad)), ["FLAT022"]);
    let bad = text.replacen("dv_ordinal|ordinal\": 1", "dv_ordinal|ordinal\": \"one\"", 1);
    assert_eq!(errors(&validate_flat(&w, &bad)), ["FLAT020"]);
}

#[test]
fn bytes_not_utf8() {
    let r = validate_flat_bytes(a1(), b"{\n  \"a\xc3\xa9\xff\": 1}");
    assert_eq!(summary(&r), [("FLAT001".into(), 2, 6, String::new())]);
    assert!(validate_flat_bytes(a1(), read("flat/duration_validation.json").as_bytes()).valid);
}

/// Nodes the web template marks `inContext` (an ACTION's ISM current_state, an INSTRUCTION's
/// narrative, event times, ...) are not required: the SDK fills them from `ctx/` defaults.
#[test]
fn in_context_nodes_are_not_required() {
    let file = "flat/ism_vaild_transition.json";
    let w = wt(&manifest()[file]);
    let text: String = read(file).lines().filter(|l| !l.contains("current_state")).collect::<Vec<_>>().join("\n");
    let r = validate_flat(&w, &text);
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    // Mandatory nodes not in context are required: the a24_hour_average's math_function and width.
    let r = validate_flat(a1(), r#"{"a1/blood_pressure/a24_hour_average/time": "2022-01-01T00:00:00Z"}"#);
    let paths: Vec<&str> = r.diagnostics.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(errors(&r), ["FLAT030", "FLAT030"]);
    assert_eq!(paths, ["a1/blood_pressure/a24_hour_average/math_function", "a1/blood_pressure/a24_hour_average/width"]);
}

/// The STRUCTURED fixtures and the FLAT fixtures of the same name are the same composition.
#[test]
fn structured_fixtures_flatten_to_their_flat_twins() {
    for name in ["corona", "multi_list"] {
        let file = format!("structured/{name}.json");
        let flat = structured_to_flat(&wt(&manifest()[&file]), &read(&file)).unwrap();
        assert_eq!(pairs(&flat), pairs(&read(&format!("flat/{name}.json"))), "{name}");
    }
}

/// RM attributes the template leaves unconstrained are still paths: an EVENT's width (it becomes
/// an INTERVAL_EVENT), checked as the RM type says.
#[test]
fn rm_children() {
    let ok = format!(r#"{{"{EV}/width": "PT1H", "{EV}/math_function|code": "146"}}"#);
    assert!(validate_flat(a1(), &ok).diagnostics.is_empty());
    let bad = format!(r#"{{"{EV}/width": "one hour"}}"#);
    assert_eq!(errors(&validate_flat(a1(), &bad)), ["FLAT026"]);
}

/// A node with a plain value and suffixes keeps both through STRUCTURED (`"|"` holds the plain
/// value). Indexes become array positions, so sparse ones (`:0`, `:2`) come back renumbered.
#[test]
fn plain_value_beside_suffixes_round_trips() {
    let flat =
        r#"{"a1/blood_pressure/any_event:0/position": "x", "a1/blood_pressure/any_event:0/position|code": "at1000"}"#;
    let structured = flat_to_structured(flat).unwrap();
    assert_eq!(structured, r#"{"a1":{"blood_pressure":[{"any_event":[{"position":[{"|":"x","|code":"at1000"}]}]}]}}"#);
    assert_eq!(pairs(&structured_to_flat(a1(), &structured).unwrap()), pairs(flat));
}
