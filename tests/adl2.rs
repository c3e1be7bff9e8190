//! ADL 2 headers: every real fixture is read with its exact id, kind, versions, parent and
//! languages; small broken headers give their exact code, line:column and section path.

use openehr_definitions::{Adl2Header, ArtefactKind, Code, parse_adl2_header};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_dir().join(name)).unwrap()
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/adl2")
}

struct Expected {
    file: &'static str,
    kind: ArtefactKind,
    id: &'static str,
    adl_version: &'static str,
    rm_release: &'static str,
    generated: bool,
    parent: Option<&'static str>,
    language: &'static str,
    translations: &'static [&'static str],
    lifecycle_state: &'static str,
    author: &'static str,
}

const COMPONENT_TERMINOLOGIES: Expected = Expected {
    file: "openehr_archie__adlparser__openEHR-EHR-ELEMENT.component_terminologies_1.v1.0.0.adls",
    kind: ArtefactKind::OperationalTemplate,
    id: "openEHR-EHR-COMPOSITION.annotations_rm_path.v1.0.0",
    adl_version: "2.0.5",
    rm_release: "1.0.2",
    generated: false,
    parent: None,
    language: "en",
    translations: &[],
    lifecycle_state: "published",
    author: "Thomas Beale",
};

const BLOOD_PRESSURE: Expected = Expected {
    file: "openehr_archie__flattener__openEHR-EHR-COMPOSITION.blood_pressure.v1.0.0.adlt",
    kind: ArtefactKind::Template,
    id: "openEHR-EHR-COMPOSITION.blood_pressure.v1.0.0",
    adl_version: "2.0.5",
    rm_release: "1.0.2",
    generated: true,
    parent: Some("openEHR-EHR-COMPOSITION.report-result.v1.0.0"),
    language: "en",
    translations: &["ar-sy"],
    lifecycle_state: "unmanaged",
    author: "Heather Leslie",
};

const EXPECTED: &[Expected] = &[
    COMPONENT_TERMINOLOGIES,
    Expected {
        file: "openehr_archie__adlparser__openEHR-EHR-ELEMENT.component_terminologies_2.v1.0.0.adls",
        ..COMPONENT_TERMINOLOGIES
    },
    Expected {
        file: "openehr_archie__adlparser__openEHR-EHR-ELEMENT.component_terminologies_3.v1.0.0.adls",
        ..COMPONENT_TERMINOLOGIES
    },
    Expected {
        file: "openehr_archie__archetypevalidator__openEHR-EHR-OBSERVATION.specialized_specialized_template_observation.v1.0.0.adls",
        kind: ArtefactKind::Template,
        id: "openEHR-EHR-OBSERVATION.specialized_specialized_template_observation.v1.0.0",
        adl_version: "2.0.5",
        rm_release: "1.0.4",
        generated: false,
        parent: Some("openEHR-EHR-OBSERVATION.specialized_template_observation.v1.0.0"),
        language: "en",
        translations: &[],
        lifecycle_state: "unmanaged",
        author: "MK",
    },
    Expected {
        file: "openehr_archie__archetypevalidator__openEHR-EHR-OBSERVATION.specialized_template_observation.v1.0.0.adls",
        kind: ArtefactKind::Template,
        id: "openEHR-EHR-OBSERVATION.specialized_template_observation.v1.0.0",
        adl_version: "2.0.5",
        rm_release: "1.0.4",
        generated: true,
        parent: Some("openEHR-EHR-OBSERVATION.simple_test_observation.v1.0.0"),
        language: "en",
        translations: &[],
        lifecycle_state: "unmanaged",
        author: "MK",
    },
    BLOOD_PRESSURE,
    Expected {
        file: "openehr_archie__flattener__openEHR-EHR-COMPOSITION.blood_pressure_with_synopsis.v1.0.0.adlt",
        id: "openEHR-EHR-COMPOSITION.blood_pressure_with_synopsis.v1.0.0",
        parent: Some("openEHR-EHR-COMPOSITION.report-result-with-synopsis.v1"),
        language: "nl",
        translations: &[],
        author: "Pieter Bos",
        ..BLOOD_PRESSURE
    },
    Expected {
        file: "openehr_archie__flattener__openEHR-EHR-COMPOSITION.length.v1.0.0.adlt",
        id: "openEHR-EHR-COMPOSITION.length.v1.0.0",
        ..BLOOD_PRESSURE
    },
    Expected {
        file: "openehr_archie__templates__openEHR-EHR-COMPOSITION.t_invalid_overlay_parent.v1.0.0.adls",
        kind: ArtefactKind::Template,
        id: "openEHR-EHR-COMPOSITION.t_invalid_overlay_parent.v1.0.0",
        adl_version: "2.0.7",
        rm_release: "1.0.2",
        generated: false,
        parent: Some("openEHR-EHR-COMPOSITION.base.v1.0.0"),
        language: "en",
        translations: &[],
        lifecycle_state: "unstable",
        author: "Jelte Zeilstra",
    },
];

#[test]
fn every_fixture_header_is_read() {
    let mut files: Vec<_> = std::fs::read_dir(fixture_dir()).unwrap().map(|e| e.unwrap().file_name()).collect();
    files.sort();
    assert_eq!(files.len(), EXPECTED.len(), "a fixture without expectations");
    for e in EXPECTED {
        let report = parse_adl2_header(&fixture(e.file));
        assert_eq!(report.diagnostics, vec![], "{}", e.file);
        let h = &report.header;
        assert_eq!(h.artefact_kind, Some(e.kind), "{}", e.file);
        assert_eq!(h.id.as_deref(), Some(e.id), "{}", e.file);
        let hrid = h.hrid.as_ref().unwrap();
        assert_eq!(hrid.to_string(), e.id);
        assert_eq!((hrid.rm_class.as_str(), hrid.version.as_str()), (e.id.split(['-', '.']).nth(2).unwrap(), "1.0.0"));
        assert_eq!((h.adl_version.as_deref(), h.rm_release.as_deref()), (Some(e.adl_version), Some(e.rm_release)));
        assert_eq!(h.generated, e.generated, "{}", e.file);
        assert_eq!(h.parent.as_deref(), e.parent, "{}", e.file);
        assert_eq!(h.original_language.as_deref(), Some(e.language), "{}", e.file);
        assert_eq!(h.translations, e.translations, "{}", e.file);
        assert_eq!(h.lifecycle_state.as_deref(), Some(e.lifecycle_state), "{}", e.file);
        assert_eq!(h.original_author.get("name").map(String::as_str), Some(e.author), "{}", e.file);
    }
}

#[test]
fn original_author_is_read_in_full_with_odin_strings() {
    let header = parse_adl2_header(&fixture(COMPONENT_TERMINOLOGIES.file)).header;
    let author: Vec<_> = header.original_author.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        author,
        [
            ("date", "2010-11-09"),
            ("email", "thomas.beale@openEHR.org"),
            ("name", "Thomas Beale"),
            ("organisation", "openEHR Foundation <http://www.openEHR.org>"),
        ]
    );
}

/// The smallest complete archetype; broken variants are made from it by one replacement.
const MINIMAL: &str = "archetype (adl_version=2.0.6; rm_release=1.1.0)
\topenEHR-EHR-OBSERVATION.x.v1.0.0

language
\toriginal_language = <[ISO_639-1::en]>

description
\tlifecycle_state = <\"unmanaged\">

definition
\tOBSERVATION[id1]

terminology
\tterm_definitions = <>
";

/// A diagnostic as (code, line, column, path).
type Finding<P> = (Code, u32, u32, P);

fn findings(text: &str) -> Vec<Finding<String>> {
    parse_adl2_header(text).diagnostics.into_iter().map(|d| (d.code, d.line, d.column, d.path)).collect()
}

#[test]
fn minimal_archetype_is_clean_with_lf_and_crlf() {
    let lf = parse_adl2_header(MINIMAL);
    assert_eq!(lf.diagnostics, vec![]);
    assert_eq!(lf.header.artefact_kind, Some(ArtefactKind::Archetype));
    assert_eq!(lf.header.lifecycle_state.as_deref(), Some("unmanaged"));
    let crlf = parse_adl2_header(&MINIMAL.replace('\n', "\r\n"));
    assert_eq!(crlf, lf);
}

#[test]
fn broken_headers_are_positioned() {
    let description = "description\n\tlifecycle_state = <\"unmanaged\">\n\n";
    let moved_description = format!("{}\n{description}", MINIMAL.replace(description, ""));
    let cases: Vec<(String, Vec<Finding<&str>>)> = vec![
        (String::new(), vec![(Code::AdlNotAdl, 1, 1, "")]),
        ("-- c\n  archetypes (x)".into(), vec![(Code::AdlNotAdl, 2, 3, "")]),
        (MINIMAL.replace("; rm_release=1.1.0", ""), vec![(Code::AdlMissingMetadata, 1, 1, "")]),
        (
            MINIMAL.replace("adl_version=2.0.6;", "adl_version 2.0.6;"),
            vec![(Code::AdlMissingMetadata, 1, 1, ""), (Code::AdlMetadata, 1, 24, "")],
        ),
        (MINIMAL.replace("1.1.0)", "1.1.0; foo=bar)"), vec![(Code::AdlUnknown, 1, 49, "")]),
        (MINIMAL.replace("1.1.0)", "1.1.0"), vec![(Code::AdlMetadata, 2, 2, "")]),
        (MINIMAL.replace("(adl", "(adl_version=2.0.6; adl"), vec![(Code::AdlMetadata, 1, 31, "")]),
        (MINIMAL.replace("(adl", "(generated=yes; adl"), vec![(Code::AdlMetadata, 1, 12, "")]),
        (MINIMAL.replace("(adl", "(; adl"), vec![(Code::AdlMetadata, 1, 12, "")]),
        (MINIMAL.replace("x.v1.0.0", "x.v1"), vec![(Code::AdlInvalidId, 2, 30, "")]),
        (MINIMAL.replace("\topenEHR-EHR-OBSERVATION.x.v1.0.0\n", ""), vec![(Code::AdlInvalidId, 3, 1, "")]),
        (MINIMAL.replace(description, ""), vec![(Code::AdlMissingSection, 1, 1, "/description")]),
        (
            MINIMAL.replace("terminology\n", "terminologies\n"),
            vec![(Code::AdlMissingSection, 1, 1, "/terminology"), (Code::AdlUnknown, 13, 1, "/terminologies")],
        ),
        (moved_description, vec![(Code::AdlSectionOrder, 13, 1, "/description")]),
        (
            format!("{MINIMAL}\nlanguage\n\toriginal_language = <[ISO_639-1::de]>\n"),
            vec![(Code::AdlSectionOrder, 16, 1, "/language")],
        ),
        (
            MINIMAL.replace("\ndefinition", "\nextra_info -- note\n\tanything = <1>\n\ndefinition"),
            vec![(Code::AdlUnknown, 10, 1, "/extra_info")],
        ),
        (MINIMAL.replacen("archetype", "template", 1), vec![(Code::AdlMissingParent, 1, 1, "/specialize")]),
        (
            MINIMAL.replace("\nlanguage", "\nspecialize\n\topenEHR-EHR-OBSERVATION.p.vx\n\nlanguage"),
            vec![(Code::AdlInvalidParent, 5, 29, "/specialize")],
        ),
        (
            MINIMAL.replace("\nlanguage", "\nspecialize\n\nlanguage"),
            vec![(Code::AdlInvalidParent, 4, 1, "/specialize")],
        ),
        (MINIMAL.replace("<[ISO_639-1::en]>", "[ISO_639-1::en]"), vec![(Code::AdlOdin, 5, 22, "/language")]),
        // An unclosed string runs to the end of the text, hiding the sections after it.
        (
            MINIMAL.replace("<\"unmanaged\">", "<\"unmanaged>"),
            vec![
                (Code::AdlMissingSection, 1, 1, "/definition"),
                (Code::AdlMissingSection, 1, 1, "/terminology"),
                (Code::AdlOdin, 8, 21, "/description"),
            ],
        ),
        (MINIMAL.replace("<[ISO_639-1::en]>", "<[ISO_639-1::en]"), vec![(Code::AdlOdin, 7, 1, "/language")]),
    ];
    for (text, expected) in cases {
        let expected: Vec<_> = expected.into_iter().map(|(c, l, col, p)| (c, l, col, p.to_string())).collect();
        assert_eq!(findings(&text), expected, "{text}");
    }
}

#[test]
fn each_broken_item_of_a_long_meta_data_line_is_reported_at_its_own_column() {
    // `é` is no item name: skipped to the first `;`; then 2 999 `x=;` on one line, each reported
    // at its own column, counted in characters after the two-byte `é`.
    let items = "x=; ".repeat(3000);
    let text = MINIMAL.replace("(adl", &format!("(é {items}adl"));
    let found = findings(&text);
    let expected: Vec<_> = std::iter::once(12)
        .chain((1..3000).map(|k| 16 + 4 * k))
        .map(|column| (Code::AdlMetadata, 1, column, String::new()))
        .collect();
    let first_difference = found.iter().zip(&expected).position(|(f, e)| f != e);
    assert_eq!((found.len(), first_difference), (expected.len(), None), "first at {first_difference:?}");
}

#[test]
fn meta_data_items_are_read() {
    let text = MINIMAL.replace("1.1.0)", "1.1.0; controlled; generated; uid=6B6D-A1; build_uid=9C2F-04)");
    let report = parse_adl2_header(&text);
    assert_eq!(report.diagnostics, vec![]);
    let h = report.header;
    assert!(h.is_controlled && h.generated);
    assert_eq!((h.uid.as_deref(), h.build_uid.as_deref()), (Some("6B6D-A1"), Some("9C2F-04")));
}

#[test]
fn strings_cannot_fake_sections_and_escapes_are_resolved() {
    let text = MINIMAL.replace(
        "<\"unmanaged\">",
        "<\"un\\\"managed\\\\\">\n\tcopyright = <\"see\ndefinition\nterminology -- \\\" \">",
    );
    let report = parse_adl2_header(&text);
    assert_eq!(report.diagnostics, vec![]);
    assert_eq!(report.header.lifecycle_state.as_deref(), Some("un\"managed\\"));
}

#[test]
fn overlays_after_a_dash_line_are_not_read() {
    let text = format!("{MINIMAL}\n------\ntemplate_overlay\n\tbad id\n\nlanguage\nlanguage\n");
    assert_eq!(findings(&text), vec![]);
    let comment_banner = format!("{MINIMAL}\n------\n-- not an artefact\nlanguage\n");
    assert_eq!(findings(&comment_banner), vec![(Code::AdlSectionOrder, 18, 1, "/language".to_string())]);
}

#[test]
fn a_standalone_overlay_needs_no_meta_data_language_or_description() {
    let text = "template_overlay
\topenEHR-EHR-OBSERVATION.ovl-x-001.v1.0.0

specialize
\topenEHR-EHR-OBSERVATION.x.v1

definition
\tOBSERVATION[id1.1]

terminology
\tterm_definitions = <>
";
    let report = parse_adl2_header(text);
    assert_eq!(report.diagnostics, vec![]);
    assert_eq!(report.header.artefact_kind, Some(ArtefactKind::TemplateOverlay));
    assert_eq!(report.header.parent.as_deref(), Some("openEHR-EHR-OBSERVATION.x.v1"));
    assert_eq!(findings(&text.replace("specialize\n", "")), vec![(Code::AdlMissingParent, 1, 1, "/specialize".into())]);
}

#[test]
fn every_prefix_of_a_fixture_is_handled() {
    let text = fixture(EXPECTED[3].file);
    let lines = u32::try_from(text.lines().count()).unwrap() + 1;
    for (end, _) in text.char_indices() {
        for d in parse_adl2_header(&text[..end]).diagnostics {
            assert!(d.line >= 1 && d.line <= lines && d.column >= 1, "{d} at prefix {end}");
        }
    }
    assert_eq!(parse_adl2_header("").header, Adl2Header::default());
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(s in "(archetype|template|--|[(;=)<>\\[\\]\"\\\\ \n\t]|[a-z_.]{1,8}|\\PC){0,60}") {
        let report = parse_adl2_header(&s);
        let lines = u32::try_from(s.split('\n').count()).unwrap();
        for d in report.diagnostics {
            prop_assert!(d.line >= 1 && d.line <= lines && d.column >= 1, "{}", d);
        }
    }
}
