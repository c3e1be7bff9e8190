//! Identifier rules: every real id in the fixtures passes, every error case has its exact code
//! and column, and parse/display round-trips.

use openehr_definitions::ident::TEMPLATE_ID_MAX_LEN;
use openehr_definitions::{ArchetypeHrid, Code, Diagnostic, QueryName, check_archetype_id_14, check_template_id};
use proptest::prelude::*;
use std::path::Path;

/// The text of every `<tag><value>…</value>` in `xml` (first only when `first_only`), unescaped.
fn element_values(xml: &str, tag: &str, first_only: bool) -> Vec<String> {
    let open = format!("<{tag}>");
    let mut values = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        rest = rest[start + open.len()..].trim_start();
        let Some(body) = rest.strip_prefix("<value>") else { continue };
        let Some(end) = body.find("</value>") else { break };
        values.push(unescape(&body[..end]));
        rest = &body[end..];
        if first_only {
            break;
        }
    }
    values
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

fn valid_opts() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/opt14/valid");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files.iter().map(|p| (p.display().to_string(), std::fs::read_to_string(p).unwrap())).collect()
}

fn code_and_column(result: Result<impl std::fmt::Debug, Diagnostic>) -> (Code, u32) {
    let d = result.unwrap_err();
    assert_eq!((d.line, d.path.as_str()), (1, ""), "{d}");
    (d.code, d.column)
}

#[test]
fn every_fixture_template_id_passes() {
    let opts = valid_opts();
    assert_eq!(opts.len(), 177);
    let mut ids = Vec::new();
    for (file, xml) in &opts {
        let found = element_values(xml, "template_id", true);
        assert_eq!(found.len(), 1, "{file} has no template_id");
        ids.extend(found);
    }
    for id in &ids {
        assert_eq!(check_template_id(id), Ok(()), "{id:?}");
    }
    for unusual in ["Stationärer Versorgungsfall", "minimal_action.en.v1_{{randomize}}", "Körpergröße"] {
        assert!(ids.iter().any(|id| id == unusual), "{unusual} not among the fixture ids");
    }
}

#[test]
fn every_fixture_archetype_id_passes() {
    let mut count = 0;
    for (file, xml) in valid_opts() {
        for id in element_values(&xml, "archetype_id", false) {
            assert_eq!(check_archetype_id_14(&id), Ok(()), "{id:?} in {file}");
            count += 1;
        }
    }
    assert!(count > 1000, "only {count} archetype ids found");
}

#[test]
fn template_id_errors() {
    let long = "a".repeat(TEMPLATE_ID_MAX_LEN + 1);
    let long_umlaut = format!("{}ä", "a".repeat(TEMPLATE_ID_MAX_LEN - 1));
    let cases: &[(&str, Code, u32)] = &[
        ("", Code::IdEmpty, 1),
        (&long, Code::IdTooLong, 256),
        (&long_umlaut, Code::IdTooLong, 255),
        (" x", Code::IdSurroundingSpace, 1),
        ("ab\u{a0}", Code::IdSurroundingSpace, 3),
        ("ab  ", Code::IdSurroundingSpace, 3),
        ("a\tb", Code::IdControlChar, 2),
        ("\tab", Code::IdControlChar, 1),
        ("ab\n", Code::IdControlChar, 3),
        ("ä\u{85}", Code::IdControlChar, 2),
        ("a\u{2028}", Code::IdControlChar, 2),
        ("a\u{2029}b", Code::IdControlChar, 2),
        ("a\0", Code::IdControlChar, 2),
        ("Größe/Länge", Code::IdForbiddenChar, 6),
        ("a\\b", Code::IdForbiddenChar, 2),
    ];
    for (id, code, column) in cases {
        assert_eq!(code_and_column(check_template_id(id)), (*code, *column), "{id:?}");
    }
    assert_eq!(check_template_id(&"a".repeat(TEMPLATE_ID_MAX_LEN)), Ok(()));
    assert_eq!(check_template_id("IDCR - Adverse Reaction List.v1 (draft) #2 ✓"), Ok(()));
}

#[test]
fn archetype_id_14_errors() {
    let cases: &[(&str, Code, u32)] = &[
        ("", Code::IdEmpty, 1),
        ("1penEHR-EHR-OBSERVATION.bp.v1", Code::IdMalformed, 1),
        ("openEHR_EHR-OBSERVATION.bp.v1", Code::IdMalformed, 24),
        ("openEHR-EHR-OBSERVATION", Code::IdMalformed, 24),
        ("openEHR-EHR-OBSERVATION..v1", Code::IdMalformed, 25),
        ("openEHR-EHR-OBSERVATION.bp-.v1", Code::IdMalformed, 28),
        ("openEHR-EHR-OBSERVATION.bp.1", Code::IdMalformed, 28),
        ("openEHR-EHR-OBSERVATION.bp.v", Code::IdMalformed, 29),
        ("openEHR-EHR-OBSERVATION.bp.v01", Code::IdMalformed, 29),
        ("openEHR-EHR-OBSERVATION.bp.v1.0.0", Code::IdMalformed, 30),
        ("openEHR-EHR-OBSERVATION.bp.v1 ", Code::IdMalformed, 30),
        ("openEHR-EHR-OBSERVATION.blüd.v1", Code::IdMalformed, 27),
    ];
    for (id, code, column) in cases {
        assert_eq!(code_and_column(check_archetype_id_14(id)), (*code, *column), "{id:?}");
    }
    let message = check_archetype_id_14("openEHR-EHR-OBSERVATION.bp.x1").unwrap_err().message;
    assert!(message.contains("version"), "{message}");
    for ok in ["openEHR-EHR-CLUSTER.device-ventilator.v0", "openEHR-EHR-OBSERVATION.lab_test-blood_glucose.v12"] {
        assert_eq!(check_archetype_id_14(ok), Ok(()), "{ok}");
    }
}

#[test]
fn hrid_parses_into_its_parts() {
    let hrid = ArchetypeHrid::parse("org.openehr::openEHR-EHR-OBSERVATION.ovl-bp-bp-001.v1.2.3-rc.4").unwrap();
    assert_eq!(hrid.namespace.as_deref(), Some("org.openehr"));
    assert_eq!(
        (hrid.rm_publisher.as_str(), hrid.rm_package.as_str(), hrid.rm_class.as_str()),
        ("openEHR", "EHR", "OBSERVATION")
    );
    assert_eq!(hrid.concept, "ovl-bp-bp-001");
    assert_eq!(hrid.version, "1.2.3-rc.4");
    assert_eq!(hrid.semver(), Some(openehr_definitions::version::Version::parse("1.2.3-rc.4").unwrap()));
    assert_eq!(hrid.to_string(), "org.openehr::openEHR-EHR-OBSERVATION.ovl-bp-bp-001.v1.2.3-rc.4");

    let reference = ArchetypeHrid::parse_reference("openEHR-EHR-COMPOSITION.report-result-with-synopsis.v1").unwrap();
    assert_eq!((reference.concept.as_str(), reference.version.as_str()), ("report-result-with-synopsis", "1"));
    assert_eq!(reference.semver(), None);
    assert_eq!(ArchetypeHrid::parse_reference("openEHR-EHR-COMPOSITION.a.v1.0").unwrap().version, "1.0");
    assert!(ArchetypeHrid::parse("openEHR-EHR-COMPOSITION.a.v1.0.0-beta").is_ok());
}

#[test]
fn hrid_errors() {
    let full: &[(&str, Code, u32)] = &[
        ("", Code::IdEmpty, 1),
        ("openEHR-EHR-COMPOSITION.a.v1", Code::IdMalformed, 29),
        ("openEHR-EHR-COMPOSITION.a.v1.0", Code::IdMalformed, 31),
        ("openEHR-EHR-COMPOSITION.a.v1.0.0-gamma", Code::IdMalformed, 34),
        ("openEHR-EHR-COMPOSITION.a.v1.0.0-rc.", Code::IdMalformed, 37),
        ("openEHR-EHR-COMPOSITION.a.v1.0.0.1", Code::IdMalformed, 33),
        ("openEHR-EHR-COMPOSITION.a-.v1.0.0", Code::IdMalformed, 27),
        ("openEHR-EHR-COMPOSITION.1a.v1.0.0", Code::IdMalformed, 25),
        ("openEHR-EHR-COMPOSITION.a.v1.00.0", Code::IdMalformed, 30),
        ("org..openehr::openEHR-EHR-COMPOSITION.a.v1.0.0", Code::IdMalformed, 5),
        ("org/x::openEHR-EHR-COMPOSITION.a.v1.0.0", Code::IdMalformed, 4),
        ("openEHR-EHR.a.v1.0.0", Code::IdMalformed, 12),
    ];
    for (id, code, column) in full {
        assert_eq!(code_and_column(ArchetypeHrid::parse(id)), (*code, *column), "{id:?}");
    }
    let reference: &[(&str, Code, u32)] = &[
        ("openEHR-EHR-COMPOSITION.a.v", Code::IdMalformed, 28),
        ("openEHR-EHR-COMPOSITION.a.v1-rc", Code::IdMalformed, 30),
        ("openEHR-EHR-COMPOSITION.a.v1.", Code::IdMalformed, 30),
    ];
    for (id, code, column) in reference {
        assert_eq!(code_and_column(ArchetypeHrid::parse_reference(id)), (*code, *column), "{id:?}");
    }
}

#[test]
fn query_name_parses_the_specification_examples() {
    let q = QueryName::parse("org.openehr::my_compositions").unwrap();
    assert_eq!((q.namespace.as_deref(), q.name.as_str()), (Some("org.openehr"), "my_compositions"));
    assert_eq!(QueryName::parse("my_compositions").unwrap().namespace, None);
    assert_eq!(QueryName::parse("ehr::all_influenza_vacc_candidates").unwrap().namespace.as_deref(), Some("ehr"));
    assert_eq!(QueryName::parse("a-b::x.y-z_1").unwrap().name, "x.y-z_1");
    assert_eq!(QueryName::parse("aqls").unwrap().name, "aqls");
    assert_eq!(QueryName::parse("org::aql.x").unwrap().name, "aql.x");
}

#[test]
fn query_name_errors() {
    let cases: &[(&str, Code, u32)] = &[
        ("", Code::IdEmpty, 1),
        ("aql", Code::IdReserved, 1),
        ("org.openehr::AqL", Code::IdReserved, 14),
        ("::x", Code::IdMalformed, 1),
        ("org::", Code::IdMalformed, 6),
        ("a::b::c", Code::IdMalformed, 5),
        ("org..x::q", Code::IdMalformed, 5),
        (".org::q", Code::IdMalformed, 1),
        ("org.::q", Code::IdMalformed, 5),
        ("my query", Code::IdForbiddenChar, 3),
        ("org:q", Code::IdForbiddenChar, 4),
        ("org/x::q", Code::IdForbiddenChar, 4),
        ("org::q/x", Code::IdForbiddenChar, 7),
        ("abfrage_größe", Code::IdForbiddenChar, 11),
    ];
    for (name, code, column) in cases {
        assert_eq!(code_and_column(QueryName::parse(name)), (*code, *column), "{name:?}");
    }
}

#[test]
fn query_name_prefix_matches_whole_segments() {
    let name = |s: &str| QueryName::parse(s).unwrap();
    assert!(name("org.openehr::a").matches_prefix("org.openehr"));
    assert!(name("org.openehr.x::b").matches_prefix("org.openehr"));
    assert!(!name("org.openehrx::c").matches_prefix("org.openehr"));
    assert!(name("org.openehr::a").matches_prefix("org.openehr::a"));
    assert!(name("org.openehr::a.b").matches_prefix("org.openehr::a"));
    assert!(!name("org.openehr::ab").matches_prefix("org.openehr::a"));
    assert!(name("org.openehr::ab").matches_prefix("org.openehr::"));
    assert!(name("org.openehr::ab").matches_prefix("org."));
    assert!(name("org.openehr::ab").matches_prefix(""));
    assert!(!name("org.openehr::ab").matches_prefix("com"));
    assert!(!name("plain").matches_prefix("pla"));
}

prop_compose! {
    fn namespace()(labels in prop::collection::vec("[a-zA-Z0-9_-]{1,6}", 1..4)) -> String {
        labels.join(".")
    }
}

proptest! {
    #[test]
    fn query_name_round_trips(ns in prop::option::of(namespace()), name in "[a-zA-Z0-9_.-]{1,12}") {
        prop_assume!(!name.eq_ignore_ascii_case("aql"));
        let text = match &ns { Some(ns) => format!("{ns}::{name}"), None => name.clone() };
        let parsed = QueryName::parse(&text).unwrap();
        prop_assert_eq!(&parsed, &QueryName { namespace: ns, name });
        prop_assert_eq!(QueryName::parse(&parsed.to_string()).unwrap(), parsed);
    }

    #[test]
    fn hrid_round_trips(
        ns in prop::option::of(namespace()),
        parts in prop::collection::vec("[A-Za-z][A-Za-z0-9_]{0,6}", 3),
        concept in "[A-Za-z][A-Za-z0-9_]{0,6}(-[A-Za-z0-9_]{1,4}){0,3}",
        numbers in prop::collection::vec(0u64..1000, 3),
        pre in prop::option::of(("(alpha|beta|rc)", prop::option::of(0u64..50))),
    ) {
        let mut version = format!("{}.{}.{}", numbers[0], numbers[1], numbers[2]);
        if let Some((label, n)) = &pre {
            version.push('-');
            version.push_str(label);
            if let Some(n) = n { version.push_str(&format!(".{n}")); }
        }
        let hrid = ArchetypeHrid {
            namespace: ns,
            rm_publisher: parts[0].clone(),
            rm_package: parts[1].clone(),
            rm_class: parts[2].clone(),
            concept,
            version,
        };
        let parsed = ArchetypeHrid::parse(&hrid.to_string()).unwrap();
        prop_assert!(parsed.semver().is_some());
        prop_assert_eq!(parsed, hrid);
    }

    #[test]
    fn id_checks_never_panic(s in "\\PC{0,40}|[\\x00-\\x7f]{0,40}") {
        let _ = check_template_id(&s);
        let _ = check_archetype_id_14(&s);
        let _ = ArchetypeHrid::parse_reference(&s);
        if let Ok(q) = QueryName::parse(&s) {
            prop_assert_eq!(q.to_string(), s);
        }
    }
}
