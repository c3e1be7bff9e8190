//! `openehr-defs check-flat`, `example`, `flat-to-structured` and `structured-to-flat`: the
//! core's answers on stdout, exact exit statuses, diagnostics with the JSON line and caret.

use openehr_definitions::example::{DetailLevel, ExampleFormat, ExampleKind, ExampleOptions, example};
use openehr_definitions::flat::{flat_to_structured, structured_to_flat, validate_flat};
use openehr_definitions::web_template::{Options, WebTemplate, web_template};
use serde_json::Value;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_openehr-defs");
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/flat");
const INVALID: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/opt14/invalid/ehrbase_integration_test__removed_mandatory_elements__minimal_action_removed_concept.opt"
);

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).env("NO_COLOR", "1").output().expect("run openehr-defs")
}

fn path(file: &str) -> String {
    format!("{DIR}/{file}")
}

fn wt(template: &str) -> WebTemplate {
    web_template(&std::fs::read(path(template)).expect("fixture"), &Options::default()).expect("builds")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

const VITALS_OPT: &str = "templates/EHRN Vital signs.v2.opt";
const VITALS: &str = "flat/Vitalsigns.json";
const ISM_OPT: &str = "templates/test-ism.vitagroup.de.v1.opt";
const ISM: &str = "flat/ism_missing_transition.json";

#[test]
fn a_valid_composition_exits_0() {
    let output = run(&["check-flat", &path(VITALS_OPT), &path(VITALS)]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let expected = format!("`{}`: valid (0 errors, 0 warnings)\n", path(VITALS));
    assert_eq!(stdout(&output), expected);
}

#[test]
fn ism_missing_transition_is_flat042_at_42_5_with_a_caret() {
    let output = run(&["check-flat", &path(ISM_OPT), &path(ISM)]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let mut lines = text.lines();
    let head = format!("{}:42:5: error[FLAT042]: ", path(ISM));
    assert!(lines.next().is_some_and(|l| l.starts_with(&head)), "{text}");
    assert_eq!(
        lines.next(),
        Some(r#"42 |     "test-ism.vitagroup.de.v1/medication_management/ism_transition/current_state|code": "528","#)
    );
    assert_eq!(lines.next(), Some("   |     ^"));
    assert_eq!(lines.next(), Some(format!("`{}`: invalid (1 error, 0 warnings)", path(ISM)).as_str()));
}

#[test]
fn json_is_the_cores_flat_report_with_the_path() {
    let output = run(&["check-flat", "--json", &path(ISM_OPT), &path(ISM)]);
    assert_eq!(output.status.code(), Some(1));
    let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let report = validate_flat(&wt(ISM_OPT), &std::fs::read_to_string(path(ISM)).expect("fixture"));
    let mut expected = serde_json::to_value(&report).expect("encodes");
    expected["path"] = Value::String(path(ISM));
    assert_eq!(printed, expected);
    assert_eq!(printed["diagnostics"][0]["code"], "FLAT042");
    assert_eq!((&printed["diagnostics"][0]["line"], &printed["diagnostics"][0]["column"]), (&42.into(), &5.into()));
    let valid = run(&["check-flat", "--json", &path(VITALS_OPT), &path(VITALS)]);
    assert_eq!(valid.status.code(), Some(0));
}

#[test]
fn an_invalid_opt_exits_1_with_its_diagnostics() {
    let output = run(&["check-flat", INVALID, &path(VITALS)]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not a valid OPT"));
    let json = run(&["check-flat", "--json", INVALID, &path(VITALS)]);
    assert_eq!(json.status.code(), Some(1));
    let printed: Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!((&printed["kind"], &printed["valid"]), (&"opt14".into(), &false.into()));
    assert_eq!(run(&["example", INVALID]).status.code(), Some(1));
}

#[test]
fn usage_and_io_errors_exit_2() {
    assert_eq!(run(&["check-flat", &path(ISM_OPT)]).status.code(), Some(2), "no DATA");
    assert_eq!(run(&["check-flat", &path(ISM_OPT), "/no/such.json"]).status.code(), Some(2));
    assert_eq!(run(&["check-flat", "/no/such.opt", &path(ISM)]).status.code(), Some(2));
    for (option, value) in [("--format", "yaml"), ("--type", "both"), ("--detail", "all")] {
        let output = run(&["example", option, value, &path(ISM_OPT)]);
        assert_eq!(output.status.code(), Some(2), "{option} {value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.starts_with(&format!("error: invalid value \"{value}\" for {option} ")), "{stderr}");
    }
}

#[test]
fn example_prints_the_cores_example() {
    let wt = wt(VITALS_OPT);
    for (format, name) in
        [(ExampleFormat::Flat, "flat"), (ExampleFormat::Canonical, "json"), (ExampleFormat::Xml, "xml")]
    {
        let output = run(&["example", "--format", name, "--type", "output", "--detail", "medium", &path(VITALS_OPT)]);
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        let options = ExampleOptions { kind: ExampleKind::Output, detail: DetailLevel::Medium, language: None };
        assert_eq!(stdout(&output), format!("{}\n", example(&wt, format, &options)), "{name}");
    }
    let default = run(&["example", &path(VITALS_OPT)]);
    let flat = stdout(&default);
    assert_eq!(flat, format!("{}\n", example(&wt, ExampleFormat::Flat, &ExampleOptions::default())));
    assert!(validate_flat(&wt, &flat).valid);
}

#[test]
fn conversions_print_the_cores_answer() {
    let flat = std::fs::read_to_string(path(VITALS)).expect("fixture");
    let structured = flat_to_structured(&flat).expect("converts");
    let output = run(&["flat-to-structured", &path(VITALS_OPT), &path(VITALS)]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), format!("{structured}\n"));
    let dir = std::env::temp_dir().join(format!("openehr-defs-flat-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("structured.json");
    std::fs::write(&file, &structured).expect("write");
    let back = run(&["structured-to-flat", &path(VITALS_OPT), file.to_str().expect("UTF-8 path")]);
    assert_eq!(back.status.code(), Some(0));
    let expected = structured_to_flat(&wt(VITALS_OPT), &structured).expect("converts");
    assert_eq!(stdout(&back), format!("{expected}\n"));
    std::fs::write(&file, "[1,").expect("write");
    let bad = run(&["structured-to-flat", &path(VITALS_OPT), file.to_str().expect("UTF-8 path")]);
    assert_eq!(bad.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A file of this test process under the temporary directory, removed when dropped.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str, bytes: &[u8]) -> Scratch {
        let file = std::env::temp_dir().join(format!("openehr-defs-test-{}-{name}", std::process::id()));
        std::fs::write(&file, bytes).expect("write scratch file");
        Scratch(file)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("UTF-8 path")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn a_web_template_file_answers_as_its_opt_does() {
    let printed = run(&["web-template", &path(ISM_OPT)]);
    assert_eq!(printed.status.code(), Some(0));
    let wt_file = Scratch::new("ism.wt.json", &printed.stdout);
    let data = path(ISM);
    let cases: [&[&str]; 3] = [&["check-flat", "--json"], &["check-flat"], &["flat-to-structured"]];
    for args in cases {
        let from_opt = run(&[args, &[path(ISM_OPT).as_str(), data.as_str()]].concat());
        let from_wt = run(&[args, &[wt_file.path(), data.as_str()]].concat());
        assert_eq!(from_wt.status.code(), from_opt.status.code(), "{args:?}");
        assert_eq!(stdout(&from_wt), stdout(&from_opt), "{args:?}");
    }
    let from_opt = run(&["example", "--format", "structured", &path(ISM_OPT)]);
    let from_wt = run(&["example", "--format", "structured", wt_file.path()]);
    assert_eq!((from_wt.status.code(), stdout(&from_wt)), (Some(0), stdout(&from_opt)));
}

#[test]
fn json_that_is_not_a_web_template_exits_1() {
    let file = Scratch::new("not-a-wt.json", b"{\"templateId\": \"x\"}");
    let output = run(&["check-flat", file.path(), &path(ISM)]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is JSON but not a web template: missing field `version`"), "{stderr}");
}
