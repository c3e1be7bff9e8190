//! Arbitrary text through the ADL 2 header parser: never a panic or hang, and every
//! diagnostic lies inside the text (1-based line and column, line within the text).
#![no_main]

use libfuzzer_sys::fuzz_target;
use openehr_definitions::parse_adl2_header;

fuzz_target!(|text: &str| {
    let report = parse_adl2_header(text);
    let lines = text.split('\n').count();
    for d in &report.diagnostics {
        assert!(d.line >= 1 && d.column >= 1, "unpositioned diagnostic {d}");
        assert!(d.line as usize <= lines, "diagnostic {d} past the last line {lines}");
        let line = text.split('\n').nth(d.line as usize - 1).unwrap_or("");
        assert!(d.column as usize <= line.chars().count() + 1, "diagnostic {d} past the end of its line");
    }
    if let Some(hrid) = &report.header.hrid {
        assert_eq!(Some(hrid.to_string()), report.header.id);
    }
});
