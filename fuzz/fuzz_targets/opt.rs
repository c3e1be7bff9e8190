//! Arbitrary bytes through the OPT validator and the kind-detecting entry point: never a
//! panic, every position 1-based, and `valid` exactly when no diagnostic is an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openehr_definitions::{Diagnostic, validate, validate_opt};

fn positioned(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        assert!(d.line >= 1 && d.column >= 1, "unpositioned diagnostic {d}");
        assert_eq!(d.severity, d.code.severity(), "{d}");
    }
}

fuzz_target!(|data: &[u8]| {
    let opt = validate_opt(data);
    positioned(&opt.diagnostics);
    assert_eq!(opt.is_valid(), !opt.diagnostics.iter().any(Diagnostic::is_error));

    let report = validate(data);
    positioned(&report.diagnostics);
    assert_eq!(report.valid, !report.diagnostics.iter().any(Diagnostic::is_error));
});
