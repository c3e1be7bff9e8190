//! End-to-end tests of the `openehr-defs` binary: exit statuses, stdout/stderr shape and the
//! diagnostics the core reports on the real fixtures.

use regex::Regex;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_openehr-defs");
const VALID: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/opt14/valid");
const INVALID: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/opt14/invalid");
const ADL2: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/adl2");
const MINIMAL_ACTION: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/opt14/valid/ehrbase_integration_test__opt__minimal_action.opt"
);
/// Named `*.opt.1`: skipped inside a directory, checked when named explicitly.
const ODD_NAME: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/opt14/valid/ehrbase_openehr_sdk__operationaltemplate__Virologischer_Befund.opt.1"
);
const REMOVED_CONCEPT: &str =
    "ehrbase_integration_test__removed_mandatory_elements__minimal_action_removed_concept.opt";
const EMPTY_FILE: &str = "ehrbase_integration_test__empty_file__empty_file.opt";
/// Unknown elements are a warning (`OPT020`, ignored), so this one is valid; every other file in
/// `opt14/invalid` has at least one error.
const ALIEN_TAGS: &str = "ehrbase_integration_test__alien_tags__minimal_action.opt";

const HEADLINE: &str = r"^[^:]+:\d+:\d+: (error|warning)\[[A-Z]+\d{3}\]: ";

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).env_remove("NO_COLOR").output().expect("run openehr-defs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or_default()
}

fn file_count(dir: &str, keep: impl Fn(&str) -> bool) -> usize {
    std::fs::read_dir(dir)
        .expect("fixture dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| keep(name))
        .count()
}

fn check_json(args: &[&str]) -> (Output, Vec<Value>) {
    let output = run(&[&["check", "--json"], args].concat());
    let parsed: Value = serde_json::from_slice(&output.stdout).expect("--json prints valid JSON");
    let files = parsed.as_array().expect("--json prints an array").clone();
    (output, files)
}

fn keys(value: &Value) -> BTreeSet<&str> {
    value.as_object().expect("an object").keys().map(String::as_str).collect()
}

// ---------------------------------------------------------------- check, human output

#[test]
fn valid_file_exits_0_with_summary_only() {
    let output = run(&["check", MINIMAL_ACTION]);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(stdout(&output), "checked 1 file: 1 valid, 0 invalid (0 errors, 0 warnings)\n");
    assert_eq!(stderr(&output), "");
}

#[test]
fn valid_directory_checks_only_definition_files() {
    let output = run(&["check", "--quiet", VALID]);
    let expected = file_count(VALID, |n| n.ends_with(".opt"));
    assert_eq!(expected, 176, "fixture set changed");
    assert_eq!(output.status.code(), Some(0), "stdout: {}", stdout(&output));
    let summary = stdout(&output);
    assert!(
        summary.starts_with(&format!("checked {expected} files: {expected} valid, 0 invalid (0 errors, ")),
        "summary: {summary}"
    );
    assert_eq!(summary.lines().count(), 1, "--quiet prints no warnings");
}

#[test]
fn explicit_file_is_checked_whatever_its_name() {
    let output = run(&["check", ODD_NAME]);
    assert_eq!(output.status.code(), Some(0), "stdout: {}", stdout(&output));
    assert!(last_line(&stdout(&output)).starts_with("checked 1 file: 1 valid, 0 invalid"));
}

#[test]
fn invalid_directory_exits_1_and_every_file_but_alien_tags_is_invalid() {
    let output = run(&["check", INVALID]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    let total = file_count(INVALID, |_| true);
    assert!(
        last_line(&text).starts_with(&format!("checked {total} files: 1 valid, {} invalid (", total - 1)),
        "summary: {}",
        last_line(&text)
    );
    let headline = Regex::new(HEADLINE).unwrap();
    let flagged: BTreeSet<&str> =
        text.lines().filter(|line| headline.is_match(line)).map(|line| line.split(':').next().unwrap()).collect();
    assert_eq!(flagged.len(), total, "every file gets at least one diagnostic line");
    let alien = format!("{INVALID}/{ALIEN_TAGS}:4:3: warning[OPT020]: ");
    assert!(text.lines().any(|line| line.starts_with(&alien)), "no {alien} in:\n{text}");
    assert!(!text.contains('\x1b'), "no colours when stdout is not a terminal");
}

#[test]
fn human_lines_are_headlines_snippets_or_the_summary() {
    let output = run(&["check", INVALID, ADL2]);
    let text = stdout(&output);
    let headline = Regex::new(HEADLINE).unwrap();
    let source = Regex::new(r"^\d+ \| ").unwrap();
    let caret = Regex::new(r"^ + \| [ \t]*\^$").unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (summary, body) = lines.split_last().expect("some output");
    assert!(summary.starts_with("checked 31 files: "), "summary: {summary}");
    for line in body {
        assert!(headline.is_match(line) || source.is_match(line) || caret.is_match(line), "unexpected line: {line:?}");
    }
}

#[test]
fn missing_concept_is_reported_as_opt010_with_its_position() {
    let file = format!("{INVALID}/{REMOVED_CONCEPT}");
    let output = run(&["check", &file]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let line = text
        .lines()
        .find(|line| line.contains(": error[OPT010]: "))
        .unwrap_or_else(|| panic!("no OPT010 line in:\n{text}"));
    assert!(line.starts_with(&format!("{file}:")), "line: {line}");
}

#[test]
fn caret_sits_under_the_reported_column() {
    let output = run(&["check", INVALID]);
    let text = stdout(&output);
    let headline = Regex::new(r"^[^:]+:(\d+):(\d+): ").unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut snippets = 0;
    for window in lines.windows(3) {
        let Some(found) = headline.captures(window[0]) else { continue };
        let (line_no, column): (usize, usize) = (found[1].parse().unwrap(), found[2].parse().unwrap());
        let Some(source) = window[1].strip_prefix(&format!("{line_no} | ")) else { continue };
        let gutter = " ".repeat(line_no.to_string().len());
        let marker = window[2].strip_prefix(&format!("{gutter} | ")).expect("caret line follows the source line");
        let expected: String = source.chars().take(column - 1).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
        assert_eq!(marker, format!("{expected}^"), "caret for {}", window[0]);
        snippets += 1;
    }
    assert!(snippets > 0, "no snippet at all in:\n{text}");
}

#[test]
fn long_source_lines_get_no_snippet() {
    let original = std::fs::read_to_string(format!("{INVALID}/{REMOVED_CONCEPT}")).unwrap();
    let padding = format!("<template data-padding=\"{}\"", "x".repeat(200));
    let long = original.replacen("<template", &padding, 1);
    let file = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-long-line.opt");
    std::fs::write(&file, long).unwrap();
    let file = file.to_str().unwrap();
    let output = run(&["check", file]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "headline and summary only:\n{text}");
    assert!(lines[0].starts_with(&format!("{file}:3:1: error[OPT010]: ")), "{}", lines[0]);
    assert!(lines[1].starts_with("checked 1 file: 0 valid, 1 invalid"));
}

#[test]
fn quiet_prints_only_error_lines_and_the_summary() {
    let output = run(&["check", "--quiet", INVALID]);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    let (summary, body) = lines.split_last().expect("some output");
    assert!(summary.starts_with("checked 22 files: 1 valid, 21 invalid"), "summary: {summary}");
    let error_line = Regex::new(r"^[^:]+:\d+:\d+: error\[[A-Z]+\d{3}\]: ").unwrap();
    assert!(!body.is_empty());
    for line in body {
        assert!(error_line.is_match(line), "unexpected line in --quiet: {line:?}");
    }
}

#[test]
fn missing_path_exits_2_and_other_files_are_still_checked() {
    let missing = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/no-such-file.opt");
    let output = run(&["check", missing, MINIMAL_ACTION]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.starts_with("error: cannot read `"), "stderr: {err}");
    assert!(err.contains("no-such-file.opt"), "stderr: {err}");
    assert_eq!(
        stdout(&output),
        "checked 1 file: 1 valid, 0 invalid (0 errors, 0 warnings); 1 path could not be read\n"
    );
}

#[test]
fn directory_without_definitions_checks_nothing() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-no-definitions");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "template nothing").unwrap();
    let output = run(&["check", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "checked 0 files: 0 valid, 0 invalid (0 errors, 0 warnings)\n");
}

#[test]
fn no_path_is_a_usage_error() {
    let output = run(&["check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("<PATH>"), "stderr: {}", stderr(&output));
}

// ---------------------------------------------------------------- check --json

#[test]
fn json_has_one_object_per_file_with_exactly_the_report_keys() {
    let (output, files) = check_json(&[INVALID, ADL2]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(files.len(), file_count(INVALID, |_| true) + file_count(ADL2, |_| true));
    let report_keys = BTreeSet::from(["path", "kind", "valid", "metadata", "diagnostics"]);
    let diagnostic_keys = BTreeSet::from(["code", "severity", "message", "line", "column", "path"]);
    let mut paths = Vec::new();
    for file in &files {
        assert_eq!(keys(file), report_keys);
        assert!(matches!(file["kind"].as_str(), Some("opt14" | "adl2" | "unknown")), "{file}");
        assert!(file["valid"].is_boolean());
        assert!(file["metadata"].is_object() || file["metadata"].is_null());
        for diagnostic in file["diagnostics"].as_array().expect("diagnostics array") {
            assert_eq!(keys(diagnostic), diagnostic_keys);
        }
        paths.push(file["path"].as_str().expect("path string").to_owned());
    }
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "files come in sorted path order");
    let alien = format!("{INVALID}/{ALIEN_TAGS}");
    for file in &files {
        let path = file["path"].as_str().unwrap();
        if path.starts_with(INVALID) {
            assert_eq!(file["valid"], path == alien, "{path}");
            assert_ne!(file["kind"], "adl2", "{path}");
        } else {
            assert_eq!(file["kind"], "adl2", "{path}");
        }
    }
}

#[test]
fn json_reports_missing_concept_as_opt010() {
    let (_, files) = check_json(&[INVALID]);
    let path = format!("{INVALID}/{REMOVED_CONCEPT}");
    let file = files.iter().find(|f| f["path"] == path.as_str()).expect("the removed_concept file");
    assert_eq!(file["kind"], "opt14");
    assert_eq!(file["valid"], false);
    let diagnostics = file["diagnostics"].as_array().unwrap();
    let missing = diagnostics.iter().find(|d| d["code"] == "OPT010").unwrap_or_else(|| panic!("no OPT010 in {file}"));
    assert_eq!(missing["severity"], "error");
    assert!(missing["line"].as_u64().unwrap() >= 1);
    assert!(missing["column"].as_u64().unwrap() >= 1);
}

#[test]
fn json_reports_an_empty_file_as_unknown_at_1_1() {
    let (_, files) = check_json(&[&format!("{INVALID}/{EMPTY_FILE}")]);
    assert_eq!(files.len(), 1);
    let file = &files[0];
    assert_eq!(file["kind"], "unknown");
    assert_eq!(file["metadata"], Value::Null);
    assert_eq!(
        file["diagnostics"],
        serde_json::json!([{"code": "FMT001", "severity": "error", "message": "the input is empty",
            "line": 1, "column": 1, "path": ""}])
    );
}

#[test]
fn json_of_a_valid_template_carries_its_metadata() {
    let (output, files) = check_json(&[MINIMAL_ACTION]);
    assert_eq!(output.status.code(), Some(0));
    let metadata = &files[0]["metadata"];
    assert_eq!(metadata["template_id"], "minimal_action.en.v1_{{randomize}}");
    assert_eq!(metadata["rm_type_name"], "COMPOSITION");
}

#[test]
fn json_of_an_adl2_template_carries_its_header() {
    let file = format!("{ADL2}/openehr_archie__flattener__openEHR-EHR-COMPOSITION.blood_pressure.v1.0.0.adlt");
    let (output, files) = check_json(&[&file]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(files[0]["kind"], "adl2");
    let header = &files[0]["metadata"];
    assert_eq!(header["artefact_kind"], "template");
    assert_eq!(header["id"], "openEHR-EHR-COMPOSITION.blood_pressure.v1.0.0");
    assert_eq!(header["adl_version"], "2.0.5");
    assert_eq!(header["rm_release"], "1.0.2");
    assert_eq!(header["generated"], true);
}

#[test]
fn json_of_nothing_is_an_empty_array_and_missing_paths_stay_on_stderr() {
    let output = run(&["check", "--json", concat!(env!("CARGO_MANIFEST_DIR"), "/no-such-dir")]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "[]\n");
    assert!(stderr(&output).contains("no-such-dir"));
}

// ---------------------------------------------------------------- resolve / next-version

#[test]
fn resolve_prints_the_highest_matching_release() {
    let output = run(&["resolve", "1", "1.0.0", "1.2.0", "2.0.0"]);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(stdout(&output), "1.2.0\n");
}

#[test]
fn resolve_without_a_match_exits_1() {
    let output = run(&["resolve", "3", "1.0.0"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert_eq!(stderr(&output), "error: no version matches `3`\n");
}

#[test]
fn resolve_with_a_malformed_pattern_or_version_exits_2() {
    let output = run(&["resolve", "x", "1.0.0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).starts_with("error[VER001]: "), "stderr: {}", stderr(&output));
    let output = run(&["resolve", "1", "1.0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).starts_with("error[VER001]: "), "stderr: {}", stderr(&output));
}

#[test]
fn next_version_refuses_an_existing_version() {
    let output = run(&["next-version", "1.0.0", "--existing", "1.0.0"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).starts_with("error[VER002]: "), "stderr: {}", stderr(&output));
}

#[test]
fn next_version_takes_a_new_exact_version() {
    let output = run(&["next-version", "2.0.0", "--existing", "1.0.0"]);
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(stdout(&output), "2.0.0\n");
}

// ---------------------------------------------------------------- id

#[test]
fn reserved_query_name_is_id007() {
    let output = run(&["id", "query", "aql"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).starts_with("error[ID007]: "), "stdout: {}", stdout(&output));
    assert!(stdout(&output).lines().next().unwrap().ends_with(" at column 1"));
}

#[test]
fn namespaced_query_name_is_ok() {
    let output = run(&["id", "query", "org.openehr::my_compositions"]);
    assert_eq!(output.status.code(), Some(0), "stdout: {}", stdout(&output));
    assert_eq!(stdout(&output), "ok\n");
}

#[test]
fn free_text_template_id_is_ok() {
    let output = run(&["id", "template", "Stationärer Versorgungsfall"]);
    assert_eq!(output.status.code(), Some(0), "stdout: {}", stdout(&output));
    assert_eq!(stdout(&output), "ok\n");
}

#[test]
fn slash_in_template_id_is_refused_at_its_column() {
    let output = run(&["id", "template", "a/b"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let mut lines = text.lines();
    let first = lines.next().unwrap();
    assert!(first.starts_with("error[ID005]: ") && first.ends_with(" at column 2"), "stdout: {text}");
    assert_eq!(lines.next(), Some("  a/b"));
    assert_eq!(lines.next(), Some("   ^"));
}

#[test]
fn adl2_hrid_is_checked() {
    let ok = run(&["id", "adl2", "openEHR-EHR-OBSERVATION.blood_pressure.v1.0.0"]);
    assert_eq!(ok.status.code(), Some(0), "stdout: {}", stdout(&ok));
    let bad = run(&["id", "adl2", "blood_pressure"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stdout(&bad).starts_with("error[ID"), "stdout: {}", stdout(&bad));
}

#[test]
fn unknown_id_kind_is_a_usage_error() {
    let output = run(&["id", "colour", "red"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("invalid value 'colour'"), "stderr: {}", stderr(&output));
}

// ---------------------------------------------------------------- check, AQL

const AQL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/aql/valid");

/// A scratch directory of this test run, holding `files` (name, content).
fn scratch(test: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("openehr-defs-cli-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    for (name, content) in files {
        std::fs::write(dir.join(name), content).expect("scratch file");
    }
    dir
}

#[test]
fn every_real_aql_query_is_valid_and_directories_find_aql_files() {
    let output = run(&["check", "--quiet", AQL]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(stdout(&output), "checked 168 files: 168 valid, 0 invalid (0 errors, 10 warnings)\n");
}

#[test]
fn broken_aql_gets_rustc_style_lines_with_exact_positions() {
    let dir = scratch("broken", &[("q.aql", "SELECT e/a,\nFROM EHR e WHERE x/b == 1\n")]);
    let output = run(&["check", dir.join("q.aql").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    let headlines: Vec<&str> = out.lines().filter(|l| l.contains("error[")).collect();
    let shown = dir.join("q.aql").display().to_string();
    assert_eq!(
        headlines,
        [
            format!(
                "{shown}:1:11: error[AQL001]: trailing comma: expected another column after `,`, found FROM (at /select)"
            ),
            format!("{shown}:2:18: error[AQL010]: the variable `x` is not defined in FROM (at /where)"),
            format!("{shown}:2:22: error[AQL005]: `==` is not an AQL operator: use `=` (at /where)"),
        ]
    );
    assert!(out.contains("2 | FROM EHR e WHERE x/b == 1\n  |                      ^\n"), "{out}");
    assert_eq!(last_line(&out), "checked 1 file: 0 valid, 1 invalid (3 errors, 0 warnings)");
}

#[test]
fn json_of_an_aql_query_has_kind_aql_and_its_parameters() {
    let dir = scratch(
        "json",
        &[("q.aql", "-- by EHR\nselect c from EHR e[ehr_id/value=$ehr_id] contains COMPOSITION c[$archetype]")],
    );
    let (output, files) = check_json(&[dir.join("q.aql").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(files[0]["kind"], "aql");
    assert_eq!(files[0]["valid"], true);
    assert_eq!(files[0]["metadata"], serde_json::json!({"parameters": ["ehr_id", "archetype"]}));
    assert_eq!(files[0]["diagnostics"], serde_json::json!([]));
}

#[test]
fn aql_extension_wins_over_content_and_content_wins_elsewhere() {
    // `.aql` that does not start with SELECT: still AQL, so the missing SELECT is the error.
    // `.txt` named explicitly that starts with SELECT: detected as AQL from its content.
    let dir = scratch("detect", &[("not_select.aql", "FROM EHR e"), ("query.txt", "SELECT e FROM EHR e")]);
    let (output, files) =
        check_json(&[dir.join("not_select.aql").to_str().unwrap(), dir.join("query.txt").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(files[0]["kind"], "aql");
    assert_eq!(files[0]["diagnostics"][0]["code"], "AQL006");
    assert_eq!((&files[0]["diagnostics"][0]["line"], &files[0]["diagnostics"][0]["column"]), (&1.into(), &1.into()));
    assert_eq!(files[1]["kind"], "aql");
    assert_eq!(files[1]["valid"], true);
}
