//! OPT 1.4 validation against the real fixtures, and against real fixtures with one defect put in.

use std::fs;
use std::path::{Path, PathBuf};

use openehr_definitions::{Code, Diagnostic, Severity, opt, parse_opt_metadata, validate_opt};

const MINIMAL_ACTION: &str = "opt14/valid/ehrbase_integration_test__opt__minimal_action.opt";

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(relative)
}

fn read(relative: &str) -> Vec<u8> {
    fs::read(fixture(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn files_in(relative: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(fixture(relative)).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {relative}");
    files
}

fn errors(diagnostics: &[Diagnostic]) -> Vec<&Diagnostic> {
    diagnostics.iter().filter(|d| d.severity == Severity::Error).collect()
}

/// The text of the first `<open>…</close>` after `from`, with the `&amp;`-style escapes undone.
fn text_between(haystack: &str, open: &str, close: &str, from: usize) -> Option<(usize, String)> {
    let start = haystack[from..].find(open)? + from + open.len();
    let end = haystack[start..].find(close)? + start;
    let raw = &haystack[start..end];
    let text = raw.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'");
    Some((start, text.replace("&amp;", "&").trim().to_owned()))
}

#[test]
fn every_valid_fixture_validates_without_errors_and_its_metadata_matches_the_file() {
    for path in files_in("opt14/valid") {
        let bytes = fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let name = path.file_name().unwrap().to_string_lossy();
        let report = validate_opt(&bytes);
        assert!(report.is_valid(), "{name}: {:#?}", errors(&report.diagnostics));

        let expected_id = text_between(&text, "<template_id>", "</template_id>", 0)
            .and_then(|(_, inner)| text_between(&inner, "<value>", "</value>", 0))
            .map(|(_, v)| v);
        assert_eq!(report.metadata.template_id, expected_id, "{name}: template_id");
        let concept = text_between(&text, "<concept>", "</concept>", 0).map(|(_, v)| v);
        assert_eq!(report.metadata.concept, concept, "{name}: concept");
        let language = text_between(&text, "<code_string>", "</code_string>", 0).map(|(_, v)| v);
        assert_eq!(report.metadata.language, language, "{name}: language");

        // The root archetype id is the definition's last direct `archetype_id`: nested roots close before it.
        let definition_end = text.rfind("</definition>").unwrap();
        let mut root_archetype = None;
        let mut from = 0;
        while let Some((at, inner)) = text_between(&text, "<archetype_id>", "</archetype_id>", from) {
            if at > definition_end {
                break;
            }
            root_archetype = text_between(&inner, "<value>", "</value>", 0).map(|(_, v)| v);
            from = at;
        }
        assert_eq!(report.metadata.archetype_id, root_archetype, "{name}: archetype_id");
        assert!(report.metadata.archetypes.contains(root_archetype.as_ref().unwrap()), "{name}: archetypes");
        let definition_start = text.find("<definition").unwrap();
        let rm_type = text_between(&text, "<rm_type_name>", "</rm_type_name>", definition_start).map(|(_, v)| v);
        assert_eq!(report.metadata.rm_type_name, rm_type, "{name}: rm_type_name");
    }
}

/// Real exports (Better's, EHRbase's, the FLAT fixtures' OPTs) validate without errors; the
/// omissions their exporters make are `OPT022` warnings, and nothing else is reported.
#[test]
fn every_web_template_and_flat_fixture_opt_validates_without_errors() {
    let mut tolerated = 0;
    for folder in [
        "web-template/better-web-template/templates",
        "web-template/ehrbase-openEHR_SDK/operationaltemplate",
        "flat/templates",
    ] {
        for path in files_in(folder) {
            let report = validate_opt(&fs::read(&path).unwrap());
            let name = path.display();
            assert!(report.is_valid(), "{name}: {:#?}", errors(&report.diagnostics));
            tolerated += report.diagnostics.iter().filter(|d| d.code == Code::ToleratedOmission).count();
        }
    }
    assert!(tolerated > 0, "Better's exports omit node_id / referenceSetUri somewhere");
}

#[test]
fn a_missing_node_id_is_a_warning_on_plain_objects_and_an_error_on_archetype_roots() {
    let xml = String::from_utf8(read(MINIMAL_ACTION)).unwrap();
    // A complex object without node_id: tolerated.
    let stripped = xml.replacen("<node_id />", "", 1);
    assert_ne!(stripped, xml);
    let report = validate_opt(stripped.as_bytes());
    assert!(report.is_valid(), "{:#?}", errors(&report.diagnostics));
    assert_eq!(report.diagnostics.iter().filter(|d| d.code == Code::ToleratedOmission).count(), 1);
    // The definition's archetype root without node_id: still an error.
    let root = xml.find("<node_id>at0000</node_id>").expect("root node_id");
    let stripped = format!("{}{}", &xml[..root], &xml[root + "<node_id>at0000</node_id>".len()..]);
    let report = validate_opt(stripped.as_bytes());
    assert!(errors(&report.diagnostics).iter().any(|d| d.code == Code::MissingElement));
}

#[test]
fn metadata_only_parse_agrees_with_full_validation_on_every_valid_fixture() {
    for path in files_in("opt14/valid") {
        let bytes = fs::read(&path).unwrap();
        let full = validate_opt(&bytes).metadata;
        let quick = parse_opt_metadata(&bytes);
        assert!(quick.is_valid(), "{}: {:?}", path.display(), quick.diagnostics);
        let quick = quick.metadata;
        assert_eq!(
            (&quick.template_id, &quick.concept, &quick.archetype_id, &quick.rm_type_name, &quick.language),
            (&full.template_id, &full.concept, &full.archetype_id, &full.rm_type_name, &full.language),
            "{}",
            path.display()
        );
        assert_eq!(
            (&quick.uid, &quick.lifecycle_state, &quick.purpose),
            (&full.uid, &full.lifecycle_state, &full.purpose)
        );
        assert_eq!(quick.original_author, full.original_author);
    }
}

#[test]
fn minimal_action_metadata_is_read_in_full() {
    let report = validate_opt(&read(MINIMAL_ACTION));
    let m = &report.metadata;
    assert_eq!(m.template_id.as_deref(), Some("minimal_action.en.v1_{{randomize}}"));
    assert_eq!(m.concept.as_deref(), Some("Minimal Action"));
    assert_eq!(m.uid.as_deref(), Some("{{uuid}}"));
    assert_eq!(m.archetype_id.as_deref(), Some("openEHR-EHR-COMPOSITION.minimal.v1"));
    assert_eq!(m.rm_type_name.as_deref(), Some("COMPOSITION"));
    assert_eq!(m.language.as_deref(), Some("en"));
    assert_eq!(m.lifecycle_state.as_deref(), Some("Initial"));
    assert_eq!(m.purpose.as_deref(), Some("Not Specified"));
    assert_eq!(m.original_author.get("Original Author").map(String::as_str), Some("Not Specified"));
    assert_eq!(m.archetypes, ["openEHR-EHR-COMPOSITION.minimal.v1", "openEHR-EHR-ACTION.minimal.v1"]);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
}

#[test]
fn non_ascii_template_ids_are_read() {
    let hits: Vec<_> = files_in("opt14/valid")
        .into_iter()
        .filter_map(|p| validate_opt(&fs::read(p).unwrap()).metadata.template_id)
        .filter(|id| id == "Stationärer Versorgungsfall")
        .collect();
    assert!(!hits.is_empty());
}

/// A diagnostic as the tests compare it: code, line, column, path.
type Found<'a> = (Code, u32, u32, &'a str);

/// (fixture, diagnostics) for every invalid fixture: exactly these errors.
const INVALID: &[(&str, &[Found<'static>])] = &[
    ("empty_file__empty_file.opt", &[(Code::EmptyDocument, 1, 1, "")]),
    ("empty_file__empty_xml.opt", &[(Code::EmptyDocument, 2, 1, "")]),
    (
        "empty_file__empty_xml_template.opt",
        &[
            (Code::MissingElement, 3, 1, "/template"),
            (Code::MissingElement, 3, 1, "/template"),
            (Code::MissingElement, 3, 1, "/template"),
            (Code::MissingElement, 3, 1, "/template"),
            (Code::MissingElement, 3, 1, "/template"),
        ],
    ),
    (
        "minimal_persistent__persistent_minimal.composition.extdatetime.invalid.xml",
        &[(Code::WrongRoot, 1, 3, "/composition")],
    ),
    ("nested__nested.composition.extdatetimes.invalid.xml", &[(Code::WrongRoot, 1, 1, "/composition")]),
    (
        "multiple_elements__minimal_action_concept_twice_1.opt",
        &[(Code::DuplicateElement, 42, 3, "/template/concept[2]")],
    ),
    (
        "multiple_elements__minimal_action_concept_twice_2.opt",
        &[(Code::DuplicateElement, 42, 3, "/template/concept[2]")],
    ),
    (
        "multiple_elements__minimal_action_definition_twice.opt",
        &[
            (Code::DuplicateElement, 42, 3, "/template/concept[2]"),
            (Code::DuplicateElement, 516, 3, "/template/definition[2]"),
        ],
    ),
    (
        "multiple_elements__minimal_action_template-id_twice_1.opt",
        &[(Code::DuplicateElement, 41, 3, "/template/template_id[2]")],
    ),
    (
        "multiple_elements__minimal_action_template-id_twice_2.opt",
        &[(Code::DuplicateElement, 41, 3, "/template/template_id[2]")],
    ),
    (
        "multiple_elements__minimal_action_template-id_twice_3.opt",
        &[(Code::DuplicateElement, 515, 3, "/template/template_id[2]")],
    ),
    ("removed_mandatory_elements__minimal_action_removed_concept.opt", &[(Code::MissingElement, 3, 1, "/template")]),
    (
        "removed_mandatory_elements__minimal_action_removed_concept_value.opt",
        &[(Code::EmptyValue, 41, 3, "/template/concept")],
    ),
    ("removed_mandatory_elements__minimal_action_removed_definition.opt", &[(Code::MissingElement, 3, 1, "/template")]),
    (
        "removed_mandatory_elements__minimal_action_removed_description_and_concept.opt",
        &[(Code::MissingElement, 3, 1, "/template"), (Code::MissingElement, 3, 1, "/template")],
    ),
    ("removed_mandatory_elements__minimal_action_removed_language.opt", &[(Code::MissingElement, 3, 1, "/template")]),
    ("removed_template_id__minimal_admin_invalid_1.opt", &[(Code::EmptyValue, 39, 5, "/template/template_id/value")]),
    ("removed_template_id__minimal_admin_invalid_2.opt", &[(Code::MissingElement, 38, 3, "/template/template_id")]),
    ("removed_template_id__minimal_admin_invalid_3.opt", &[(Code::MissingElement, 38, 3, "/template/template_id")]),
    ("removed_template_id__minimal_admin_invalid_4.opt", &[(Code::MissingElement, 3, 1, "/template")]),
];

#[test]
fn every_invalid_fixture_yields_exactly_the_error_its_name_describes() {
    let mut covered = 0;
    for path in files_in("opt14/invalid") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let report = validate_opt(&fs::read(&path).unwrap());
        if name.contains("alien_tags") {
            // Unknown elements are warnings: the template itself is complete.
            assert!(report.is_valid(), "{name}: {:?}", report.diagnostics);
            let warnings: Vec<_> =
                report.diagnostics.iter().map(|d| (d.code, d.line, d.column, d.path.as_str())).collect();
            assert_eq!(warnings, [(Code::UnknownElement, 4, 3, "/template/bullfrog")], "{name}");
            covered += 1;
            continue;
        }
        let (_, expected) = INVALID
            .iter()
            .find(|(suffix, _)| name.ends_with(suffix))
            .unwrap_or_else(|| panic!("no expectation for {name}"));
        let found: Vec<_> = report.diagnostics.iter().map(|d| (d.code, d.line, d.column, d.path.as_str())).collect();
        assert_eq!(found, *expected, "{name}: {:#?}", report.diagnostics);
        assert!(!report.is_valid());
        covered += 1;
    }
    assert_eq!(covered, 22);
}

#[test]
fn missing_elements_are_named_in_the_message() {
    let report = validate_opt(&read("opt14/invalid/ehrbase_integration_test__empty_file__empty_xml_template.opt"));
    let messages: Vec<_> = report.diagnostics.iter().map(|d| d.message.as_str()).collect();
    for element in ["language", "description", "template_id", "concept", "definition"] {
        let expected = format!("`template` is missing its required `{element}` element");
        assert!(messages.contains(&expected.as_str()), "{messages:?}");
    }
}

/// The minimal_action fixture with `from` replaced by `to` (exactly once).
fn minimal_action_with(from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(read(MINIMAL_ACTION)).unwrap();
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once");
    text.replace(from, to).into_bytes()
}

fn only(report: &opt::OptReport) -> (Code, u32, u32, &str) {
    assert_eq!(report.diagnostics.len(), 1, "{:#?}", report.diagnostics);
    let d = &report.diagnostics[0];
    (d.code, d.line, d.column, d.path.as_str())
}

#[test]
fn a_node_id_without_term_definition_is_reported_where_it_is_used() {
    let input = minimal_action_with("<node_id>at0004</node_id>", "<node_id>at9999</node_id>");
    let report = validate_opt(&input);
    assert_eq!(
        only(&report),
        (
            Code::UndefinedNodeId,
            254,
            13,
            "/template/definition/attributes[2]/children[1]/attributes[1]/children[2]/node_id"
        )
    );
    assert!(report.diagnostics[0].message.contains("at9999"));
    // Metadata-only parsing does not look at node ids.
    assert!(parse_opt_metadata(&input).is_valid());
}

#[test]
fn a_node_id_defined_only_in_another_archetype_root_is_undefined() {
    // at0001 is defined in the nested ACTION root, not in the COMPOSITION root that uses at0000.
    let input = minimal_action_with(
        "    <node_id>at0000</node_id>\n    <attributes xsi:type=\"C_SINGLE_ATTRIBUTE\">\n      <rm_attribute_name>category",
        "    <node_id>at0001</node_id>\n    <attributes xsi:type=\"C_SINGLE_ATTRIBUTE\">\n      <rm_attribute_name>category",
    );
    assert_eq!(only(&validate_opt(&input)), (Code::UndefinedNodeId, 52, 5, "/template/definition/node_id"));
}

#[test]
fn an_inverted_interval_is_reported_at_the_interval() {
    let text = String::from_utf8(read(MINIMAL_ACTION)).unwrap();
    // The definition's own occurrences: lower 1, upper 1 → lower 3.
    let at = text.find("<occurrences>").unwrap();
    let lower = text[at..].find("<lower>1</lower>").unwrap() + at;
    let mut broken = text.clone();
    broken.replace_range(lower..lower + "<lower>1</lower>".len(), "<lower>3</lower>");
    let report = validate_opt(broken.as_bytes());
    assert_eq!(only(&report), (Code::IntervalInverted, 44, 5, "/template/definition/occurrences"));
    assert_eq!(report.diagnostics[0].message, "interval lower bound 3 is greater than its upper bound 1");
}

#[test]
fn an_unbounded_upper_is_not_inverted_and_a_non_integer_bound_is_reported() {
    let text = String::from_utf8(read(MINIMAL_ACTION)).unwrap();
    let at = text.find("<occurrences>").unwrap();
    let lower = text[at..].find("<lower>1</lower>").unwrap() + at;
    let mut broken = text.clone();
    broken.replace_range(lower..lower + "<lower>1</lower>".len(), "<lower>one</lower>");
    assert_eq!(
        only(&validate_opt(broken.as_bytes())),
        (Code::IntervalBound, 49, 7, "/template/definition/occurrences/lower")
    );
}

#[test]
fn a_malformed_archetype_id_is_reported() {
    let input = minimal_action_with(
        "<value>openEHR-EHR-ACTION.minimal.v1</value>",
        "<value>openEHR-EHR-ACTION minimal.v1</value>",
    );
    let report = validate_opt(&input);
    let found: Vec<_> = report.diagnostics.iter().map(|d| (d.code, d.line, d.path.as_str())).collect();
    assert_eq!(
        found,
        [(Code::InvalidArchetypeId, 470, "/template/definition/attributes[2]/children[1]/archetype_id/value")]
    );
}

#[test]
fn an_invalid_template_id_is_reported() {
    let input = minimal_action_with("<value>minimal_action.en.v1_{{randomize}}</value>", "<value>a/b</value>");
    let report = validate_opt(&input);
    assert_eq!(only(&report), (Code::InvalidTemplateId, 39, 5, "/template/template_id/value"));
}

#[test]
fn a_doctype_is_refused_without_expanding_anything() {
    let input = minimal_action_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!DOCTYPE template [<!ENTITY lol \"lol\"><!ENTITY x SYSTEM \"file:///etc/passwd\">]>",
    );
    assert_eq!(only(&validate_opt(&input)), (Code::DoctypeRefused, 2, 1, ""));
}

#[test]
fn an_undefined_entity_reference_is_malformed_xml() {
    let input = minimal_action_with("<concept>Minimal Action</concept>", "<concept>Minimal &lol; Action</concept>");
    let report = validate_opt(&input);
    let (code, line, _, path) = only(&report);
    assert_eq!((code, line, path), (Code::XmlMalformed, 41, "/template/concept"));
}

#[test]
fn predefined_and_character_references_are_resolved_in_values() {
    let input =
        minimal_action_with("<concept>Minimal Action</concept>", "<concept>Minimal &amp; &#x41;ction</concept>");
    let report = validate_opt(&input);
    assert!(report.is_valid(), "{:?}", report.diagnostics);
    assert_eq!(report.metadata.concept.as_deref(), Some("Minimal & Action"));
}

#[test]
fn a_mismatched_end_tag_is_malformed_xml_at_its_position() {
    let input = minimal_action_with("<concept>Minimal Action</concept>", "<concept>Minimal Action</concpt>");
    let report = validate_opt(&input);
    let (code, line, _, path) = only(&report);
    assert_eq!((code, line, path), (Code::XmlMalformed, 41, "/template/concept"));
}

#[test]
fn a_truncated_file_is_malformed_xml() {
    let bytes = read(MINIMAL_ACTION);
    let report = validate_opt(&bytes[..bytes.len() / 2]);
    assert_eq!(report.diagnostics.len(), 1, "{:?}", report.diagnostics);
    assert_eq!(report.diagnostics[0].code, Code::XmlMalformed);
}

#[test]
fn a_utf8_bom_is_accepted_and_utf16_and_bad_utf8_are_reported() {
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend(read(MINIMAL_ACTION));
    assert!(validate_opt(&with_bom).is_valid());

    let utf16: Vec<u8> = String::from_utf8(read(MINIMAL_ACTION))
        .unwrap()
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .fold(vec![0xFF, 0xFE], |mut v, b| {
            v.push(b);
            v
        });
    assert_eq!(only(&validate_opt(&utf16)), (Code::Encoding, 1, 1, ""));

    let bad = minimal_action_with("<concept>Minimal Action</concept>", "<concept>Minimal \u{00e4}ction</concept>");
    let mut bad = bad;
    let at = bad.windows(2).position(|w| w == "\u{00e4}".as_bytes()).unwrap();
    bad[at + 1] = b'(';
    assert_eq!(only(&validate_opt(&bad)), (Code::Encoding, 41, 20, ""));
}

#[test]
fn nesting_beyond_the_limit_stops_with_a_limit_diagnostic() {
    let depth = opt::MAX_DEPTH + 10;
    let deep = format!("{}{}", "<bullfrog>".repeat(depth), "</bullfrog>".repeat(depth));
    let input =
        minimal_action_with("<concept>Minimal Action</concept>", &format!("<concept>Minimal Action</concept>{deep}"));
    let report = validate_opt(&input);
    let last = report.diagnostics.last().unwrap();
    assert_eq!((last.code, last.line), (Code::LimitExceeded, 41));
    assert!(errors(&report.diagnostics).len() == 1);
}

#[test]
fn oversized_input_is_refused_before_parsing() {
    let huge = vec![b' '; opt::MAX_INPUT_BYTES + 1];
    assert_eq!(only(&validate_opt(&huge)), (Code::LimitExceeded, 1, 1, ""));
}

#[test]
fn a_second_root_and_text_outside_the_root_are_malformed() {
    let mut two_roots = read(MINIMAL_ACTION);
    two_roots.extend_from_slice(b"\n<template/>");
    assert_eq!(validate_opt(&two_roots).diagnostics[0].code, Code::XmlMalformed);
    let mut trailing = read(MINIMAL_ACTION);
    trailing.extend_from_slice(b"\nbullfrog");
    assert_eq!(validate_opt(&trailing).diagnostics[0].code, Code::XmlMalformed);
}

#[test]
fn a_template_in_another_namespace_is_the_wrong_root() {
    let input = minimal_action_with("xmlns=\"http://schemas.openehr.org/v1\"", "xmlns=\"urn:example\"");
    let (code, line, column, _) = only(&validate_opt(&input));
    assert_eq!((code, line, column), (Code::WrongRoot, 3, 1));
}
