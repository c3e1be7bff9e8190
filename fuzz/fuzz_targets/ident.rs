//! Arbitrary text through every identifier check and the version functions: never a panic,
//! errors positioned inside the input, and every accepted id or pattern round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openehr_definitions::version::{next_query_version_str, resolve_str};
use openehr_definitions::{ArchetypeHrid, Diagnostic, QueryName, VersionPattern};
use openehr_definitions::{check_archetype_id_14, check_template_id};

fn inside(input: &str, result: Result<(), Diagnostic>) {
    if let Err(d) = result {
        assert_eq!((d.line, d.path.as_str()), (1, ""), "{d}");
        assert!(d.column >= 1 && d.column as usize <= input.chars().count() + 1, "{d} outside {input:?}");
    }
}

fuzz_target!(|input: &str| {
    inside(input, check_template_id(input));
    inside(input, check_archetype_id_14(input));
    for parse in [ArchetypeHrid::parse, ArchetypeHrid::parse_reference] {
        match parse(input) {
            Ok(hrid) => assert_eq!(hrid.to_string(), input),
            Err(d) => inside(input, Err(d)),
        }
    }
    match QueryName::parse(input) {
        Ok(name) => {
            assert_eq!(name.to_string(), input);
            assert!(name.matches_prefix(input) && name.matches_prefix(""));
        }
        Err(d) => inside(input, Err(d)),
    }
    match VersionPattern::parse(input) {
        Ok(pattern) => {
            assert_eq!(VersionPattern::parse(&pattern.to_string()).ok(), Some(pattern.clone()));
        }
        Err(d) => inside(input, Err(d)),
    }
    // `pattern,v1,v2,...`: resolution and the next version must agree with the pattern.
    let mut parts = input.split(',');
    let pattern = parts.next().unwrap_or("");
    let versions: Vec<&str> = parts.collect();
    if let Ok(Some(found)) = resolve_str(pattern, &versions) {
        assert!(versions.contains(&found.as_str()), "{found} not among {versions:?}");
    }
    if let Ok(next) = next_query_version_str(pattern, &versions) {
        let next_pattern = VersionPattern::parse(&next).ok();
        assert!(matches!(next_pattern, Some(VersionPattern::Exact(_))), "{next}");
    }
});
