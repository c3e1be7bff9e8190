//! Arbitrary text through the AQL parser: never a panic, hang or stack overflow; every
//! diagnostic lies inside the text; a tree that parsed prints to text that parses back to it.
#![no_main]

#[path = "common/text_positions.rs"]
mod text_positions;

use libfuzzer_sys::fuzz_target;
use openehr_definitions::parse_aql;
use text_positions::Lines;

fuzz_target!(|text: &str| {
    let report = parse_aql(text);
    let lines = Lines::of(text);
    for d in &report.diagnostics {
        lines.assert_inside(d);
        assert!(d.code.as_str().starts_with("AQL"), "non-AQL code {d}");
    }
    if let Some(query) = &report.query {
        let printed = query.to_string();
        let again = parse_aql(&printed);
        assert_eq!(again.query.as_ref(), Some(query), "round trip changed the tree: {printed}");
    }
});
