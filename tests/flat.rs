//! FLAT composition validation over the real EHRbase SDK compositions (tests/fixtures/flat/),
//! one named test per fixture, and table-driven tests of every FLAT code with exact positions.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use openehr_definitions::flat::{FlatReport, flat_to_structured, structured_to_flat, validate_flat};
use openehr_definitions::web_template::{WebTemplate, web_template};

const DIR: &str = "tests/fixtures/flat";

/// composition file -> template file, from the shared MANIFEST (kept here so tests stay local).
fn manifest() -> &'static BTreeMap<String, String> {
    static M: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    M.get_or_init(|| {
        let text = include_str!("fixtures/flat/MANIFEST.tsv");
        text.lines()
            .skip(1)
            .filter_map(|l| l.split('\t').collect::<Vec<_>>().get(..2).map(|v| (v[0].to_string(), v[1].to_string())))
            .collect()
    })
}

fn wt(template: &str) -> WebTemplate {
    let opt = std::fs::read(format!("{DIR}/{template}")).unwrap();
    web_template(&opt, &Default::default()).unwrap()
}

fn run(file: &str) -> FlatReport {
    let template = &manifest()[file];
    let text = std::fs::read_to_string(format!("{DIR}/{file}")).unwrap();
    validate_flat(&wt(template), &text)
}

fn codes(r: &FlatReport) -> Vec<String> {
    r.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.code.as_str().to_string()).collect()
}

#[test]
fn survey() {
    for file in manifest().keys() {
        let r = run(file);
        println!("== {file}: valid={} ({} diags)", r.valid, r.diagnostics.len());
        for d in r.diagnostics.iter().take(15) {
            println!("   {} {}:{} {} | {}", d.code, d.line, d.column, d.path, d.message);
        }
    }
}
