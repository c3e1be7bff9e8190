//! Arbitrary text through the ADL 2 header parser: never a panic or hang, and every
//! diagnostic lies inside the text (1-based line and column, line within the text).
#![no_main]

#[path = "common/text_positions.rs"]
mod text_positions;

use libfuzzer_sys::fuzz_target;
use openehr_definitions::parse_adl2_header;
use text_positions::Lines;

fuzz_target!(|text: &str| {
    let report = parse_adl2_header(text);
    let lines = Lines::of(text);
    for d in &report.diagnostics {
        lines.assert_inside(d);
    }
    if let Some(hrid) = &report.header.hrid {
        assert_eq!(Some(hrid.to_string()), report.header.id);
    }
});
