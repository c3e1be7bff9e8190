//! The TypeScript declarations generated for the npm package (feature `wasm-types`) match what
//! the types serialize to: `Code` lists every code string, and each member of the `Report` union
//! has exactly the fields a serialized report of that kind has.
#![cfg(feature = "wasm-types")]

use openehr_definitions::{Code, Kind, Report, validate};
use tsify::Tsify;

#[test]
fn the_code_union_lists_every_code_once_in_table_order() {
    let listed: Vec<&str> = Code::TS_DECL
        .lines()
        .filter_map(|line| line.trim().strip_prefix("| \"")?.trim_end_matches(';').strip_suffix('"'))
        .collect();
    let all: Vec<&str> = Code::ALL.iter().map(|code| code.as_str()).collect();
    assert_eq!(listed, all);
    assert!(Code::TS_DECL.contains("export type Code =\n  | \"FMT001\"\n"), "{}", Code::TS_DECL);
    assert!(Code::TS_DECL.ends_with("  | \"VER003\";"), "{}", Code::TS_DECL);
}

/// The field names of the union member whose `kind` is `kind`, in order.
fn declared_fields(kind: Kind) -> Vec<String> {
    let marker = format!("{{ kind: \"{}\";", kind.as_str());
    let start = Report::DECL.find(&marker).unwrap_or_else(|| panic!("no member for {kind:?} in {}", Report::DECL));
    let member = &Report::DECL[start + 1..];
    let member = &member[..member.find('}').expect("a closing brace")];
    member.split(';').filter_map(|field| Some(field.split_once(':')?.0.trim().to_owned())).collect()
}

#[test]
fn each_report_member_has_the_serialized_fields() {
    let samples = [
        validate(b"<template xmlns=\"http://schemas.openehr.org/v1\"/>"),
        validate(b"archetype (adl_version=2.0.6)\n"),
        validate(b"neither"),
    ];
    for report in samples {
        let json = serde_json::to_value(&report).expect("a report serializes");
        let keys: Vec<String> = json.as_object().expect("an object").keys().cloned().collect();
        let mut declared = declared_fields(report.kind);
        declared.sort();
        let mut keys = keys;
        keys.sort();
        assert_eq!(declared, keys, "{:?}", report.kind);
    }
    assert!(
        Report::DECL.contains("\nexport type Report = \n  | { kind: \"opt14\"; valid: boolean;"),
        "{}",
        Report::DECL
    );
    assert!(Report::DECL.contains("{ kind: \"unknown\"; valid: false; metadata: null;"));
}

#[test]
fn the_other_types_are_interfaces_with_null_for_none() {
    let diagnostic = <openehr_definitions::Diagnostic as Tsify>::DECL;
    assert!(diagnostic.contains("code: Code;"), "{diagnostic}");
    assert!(diagnostic.contains("severity: Severity;"), "{diagnostic}");
    let metadata = <openehr_definitions::OptMetadata as Tsify>::DECL;
    assert!(metadata.contains("template_id: string | null;"), "{metadata}");
    assert!(metadata.contains("original_author: Record<string, string>;"), "{metadata}");
    let kind = <Kind as Tsify>::DECL;
    assert!(kind.ends_with("\nexport type Kind = \"opt14\" | \"adl2\" | \"aql\" | \"unknown\";"), "{kind}");
}
