//! `openehr-defs web-template`: the builder's JSON on stdout, diagnostics and exit 1 for an invalid OPT,
//! exit 2 for usage and I/O errors.

use openehr_definitions::web_template::{Options, web_template};
use regex::Regex;
use serde_json::Value;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_openehr-defs");
const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/opt14/valid/ehrbase_integration_test__validation__clinical_content_validation.opt"
);
const INVALID: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/opt14/invalid/ehrbase_integration_test__removed_mandatory_elements__minimal_action_removed_concept.opt"
);
const ADL2: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/adl2/openehr_archie__flattener__openEHR-EHR-COMPOSITION.blood_pressure.v1.0.0.adlt"
);

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).env("NO_COLOR", "1").output().expect("run openehr-defs")
}

fn expected(options: &Options) -> Value {
    let opt = std::fs::read(FIXTURE).expect("fixture");
    serde_json::to_value(web_template(&opt, options).expect("the fixture builds")).expect("encodes")
}

#[test]
fn prints_the_builders_web_template_as_pretty_json() {
    let output = run(&["web-template", FIXTURE]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stderr.is_empty());
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(text.starts_with("{\n  \"templateId\": "), "pretty-printed: {}", &text[..40.min(text.len())]);
    let printed: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(printed, expected(&Options::default()));
}

#[test]
fn languages_are_passed_to_the_builder() {
    let output = run(&["web-template", "--lang", "en", "--languages", "en,de", FIXTURE]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let options = Options { default_language: Some("en".into()), languages: vec!["en".into(), "de".into()] };
    assert_eq!(printed, expected(&options));
}

#[test]
fn an_invalid_opt_exits_1_with_check_style_diagnostics_on_stderr() {
    let output = run(&["web-template", INVALID]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "no JSON for an invalid OPT");
    let stderr = String::from_utf8(output.stderr).expect("UTF-8");
    let headline = Regex::new(r"(?m)^[^:]+:\d+:\d+: error\[[A-Z]+\d{3}\]: ").expect("regex");
    assert!(headline.is_match(&stderr), "{stderr}");
    let errors = stderr.lines().filter(|l| headline.is_match(l)).count();
    let noun = if errors == 1 { "error" } else { "errors" };
    let last = format!("error: `{INVALID}` is not a valid OPT ({errors} {noun}): no web template");
    assert_eq!(stderr.lines().last(), Some(last.as_str()), "{stderr}");
}

#[test]
fn an_adl2_file_exits_1() {
    let output = run(&["web-template", ADL2]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not an OPT 1.4 template"));
}

#[test]
fn usage_and_io_errors_exit_2() {
    assert_eq!(run(&["web-template"]).status.code(), Some(2), "no FILE");
    let missing = run(&["web-template", "/no/such/file.opt"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).starts_with("error: cannot read `/no/such/file.opt`: "));
}
