//! Arbitrary text through FLAT validation (and the STRUCTURED conversions) against two small real
//! templates: never a panic or hang, and every diagnostic lies inside the text.
#![no_main]

#[path = "common/text_positions.rs"]
mod text_positions;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use openehr_definitions::flat::{flat_to_structured, structured_to_flat, validate_flat};
use openehr_definitions::web_template::{WebTemplate, web_template};
use text_positions::Lines;

fn templates() -> &'static [WebTemplate] {
    static T: OnceLock<Vec<WebTemplate>> = OnceLock::new();
    T.get_or_init(|| {
        [
            &include_bytes!("../../tests/fixtures/flat/templates/duration_validation.opt")[..],
            &include_bytes!("../../tests/fixtures/flat/templates/test-ism.vitagroup.de.v1.opt")[..],
        ]
        .iter()
        .map(|opt| web_template(opt, &Default::default()).expect("fixture template builds"))
        .collect()
    })
}

fuzz_target!(|text: &str| {
    let lines = Lines::of(text);
    for wt in templates() {
        let report = validate_flat(wt, text);
        for d in &report.diagnostics {
            lines.assert_inside(d);
        }
        if let Ok(flat) = structured_to_flat(wt, text) {
            let _ = validate_flat(wt, &flat);
        }
    }
    if let Ok(structured) = flat_to_structured(text) {
        let _ = validate_flat(&templates()[0], &structured);
    }
});
