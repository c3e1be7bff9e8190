//! Arbitrary text through the AQL parser: never a panic, hang or stack overflow; every
//! diagnostic lies inside the text; a tree that parsed prints to text that parses back to it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openehr_definitions::parse_aql;

fuzz_target!(|text: &str| {
    let report = parse_aql(text);
    let lines = text.split('\n').count();
    for d in &report.diagnostics {
        assert!(d.line >= 1 && d.column >= 1, "unpositioned diagnostic {d}");
        assert!(d.line as usize <= lines, "diagnostic {d} past the last line {lines}");
        let line = text.split('\n').nth(d.line as usize - 1).unwrap_or("");
        assert!(d.column as usize <= line.chars().count() + 1, "diagnostic {d} past the end of its line");
        assert!(d.code.as_str().starts_with("AQL"), "non-AQL code {d}");
    }
    if let Some(query) = &report.query {
        let printed = query.to_string();
        let again = parse_aql(&printed);
        assert_eq!(again.query.as_ref(), Some(query), "round trip changed the tree: {printed}");
    }
});
