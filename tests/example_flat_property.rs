//! Issue 12: every FLAT example the generator builds must pass the crate's own FLAT validator,
//! over every valid OPT in the corpus, at every detail level and for both kinds.

use std::path::{Path, PathBuf};

use openehr_definitions::example::{DetailLevel, ExampleKind, ExampleOptions, example_flat};
use openehr_definitions::flat::validate_flat;
use openehr_definitions::web_template::web_template;

/// Every OPT in the three corpora (sorted, so failures are reported in a stable order).
fn opts() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "opt") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    for dir in ["tests/fixtures/opt14/valid", "tests/fixtures/web-template", "tests/fixtures/flat/templates"] {
        walk(Path::new(dir), &mut out);
    }
    out.sort();
    out
}

/// Known disagreements, as (OPT file name, detail level, reason); empty when none are known.
const KNOWN: &[(&str, &str, &str)] = &[];

#[test]
fn every_flat_example_passes_validate_flat() {
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut known = 0;
    for path in opts() {
        let opt = std::fs::read(&path).unwrap();
        // Only OPTs that build a web template are in scope (the corpus has some that do not).
        let Ok(wt) = web_template(&opt, &Default::default()) else { continue };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for kind in [ExampleKind::Input, ExampleKind::Output] {
            for detail in [DetailLevel::Required, DetailLevel::Medium, DetailLevel::Complete] {
                checked += 1;
                let options = ExampleOptions { kind, detail, language: None };
                let flat = example_flat(&wt, &options).to_json();
                let report = validate_flat(&wt, &flat);
                let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
                if errors.is_empty() {
                    continue;
                }
                if KNOWN.iter().any(|(f, d, _)| *f == name && *d == detail.name()) {
                    known += 1;
                    continue;
                }
                let first: Vec<String> =
                    errors.iter().take(3).map(|d| format!("{} {} ({})", d.code.as_str(), d.message, d.path)).collect();
                failures.push(format!(
                    "{} {}/{}: {} errors, first: {}",
                    path.display(),
                    kind.name(),
                    detail.name(),
                    errors.len(),
                    first.join("; ")
                ));
            }
        }
    }
    eprintln!("checked {checked} examples, {} failing, {known} known", failures.len());
    assert!(checked > 0);
    assert!(
        failures.is_empty(),
        "{} of {checked} FLAT examples fail validate_flat:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn wt_of(path: &str) -> openehr_definitions::web_template::WebTemplate {
    web_template(&std::fs::read(path).unwrap(), &Default::default()).unwrap()
}

/// A node with `min` above one (TwoEvents' `blutdruck`, 2..*) gets that many instances, so the
/// example meets FLAT030.
#[test]
fn a_node_with_min_above_one_gets_min_instances() {
    let wt = wt_of("tests/fixtures/opt14/valid/ehrbase_openehr_sdk__operationaltemplate__TwoEvents.opt");
    let flat = example_flat(&wt, &ExampleOptions::default()).to_json();
    assert!(flat.contains("\"bericht/blutdruck:1/"), "{flat}");
    assert!(!flat.contains("\"bericht/blutdruck:2/"), "{flat}");
    assert!(validate_flat(&wt, &flat).valid);
}

/// A DV_QUANTITY precision of `-1` (constrain_test's `tilt`) leaves the decimals free: the
/// validator no longer reads it as "at most -1 decimal places".
#[test]
fn precision_minus_one_is_unconstrained() {
    let wt = wt_of("tests/fixtures/opt14/valid/ehrbase_openehr_sdk__operationaltemplate__constrain_test.opt");
    let tilt = "constrain/blood_pressure/a24_hour_average/tilt";
    for magnitude in ["10", "10.0", "10.25"] {
        let flat = format!(r#"{{"{tilt}|magnitude": {magnitude}, "{tilt}|unit": "°"}}"#);
        let report = validate_flat(&wt, &flat);
        assert!(!report.diagnostics.iter().any(|d| d.code.as_str() == "FLAT025"), "{magnitude}: {report:?}");
    }
}
