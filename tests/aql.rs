//! AQL: every real query in `tests/fixtures/aql/valid` parses without errors and survives the
//! round trip through the pretty-printer; small broken queries give their exact code,
//! line:column and clause; the tree, the parameters and the printer are pinned on examples.

use openehr_definitions::aql::*;
use openehr_definitions::{Code, Severity, parse_aql, validate_aql};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn corpus() -> &'static [(String, String)] {
    static CORPUS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(read_corpus)
}

fn read_corpus() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aql/valid");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

#[test]
fn every_real_query_parses_without_errors() {
    let corpus = corpus();
    assert_eq!(corpus.len(), 168);
    let mut failures = Vec::new();
    for (name, text) in corpus {
        let report = parse_aql(text);
        let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
        if report.query.is_none() || !errors.is_empty() {
            failures.push(format!("{name}: {errors:?}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), corpus.len(), failures.join("\n"));
}

#[test]
fn every_real_query_round_trips_through_the_printer() {
    for (name, text) in corpus() {
        let query = parse_aql(text).query.unwrap();
        let printed = query.to_string();
        let again = parse_aql(&printed);
        assert!(again.is_valid(), "{name}: the printed query has errors: {printed}\n{:?}", again.diagnostics);
        assert_eq!(again.query.as_ref(), Some(&query), "{name}: {printed}");
        // Canonical: printing the reparsed tree gives the same text.
        assert_eq!(again.query.unwrap().to_string(), printed, "{name}");
    }
}

#[test]
fn warnings_in_the_corpus_are_only_legacy_syntax() {
    let mut legacy = 0;
    for (name, text) in corpus() {
        for d in parse_aql(text).diagnostics {
            assert_eq!(d.code, Code::AqlLegacy, "{name}: {d}");
            legacy += 1;
        }
    }
    // TIMEWINDOW (4), LIMIT before ORDER BY (5), `AND NOT CONTAINS` (1).
    assert_eq!(legacy, 10);
}

// ----- examples: the tree, the parameters, the printer -----

#[track_caller]
fn parses_to(text: &str, canonical: &str) -> Query {
    let report = parse_aql(text);
    assert!(report.diagnostics.is_empty(), "{text}: {:?}", report.diagnostics);
    let query = report.query.unwrap();
    assert_eq!(query.to_string(), canonical);
    assert_eq!(parse_aql(canonical).query.as_ref(), Some(&query));
    query
}

#[test]
fn keywords_are_case_insensitive_and_printed_upper_case() {
    parses_to(
        "select e/ehr_id/value as id from ehr e where e/ehr_id/value = 'x' order by e/time_created descending",
        "SELECT e/ehr_id/value AS id FROM ehr e WHERE e/ehr_id/value = 'x' ORDER BY e/time_created DESC",
    );
}

#[test]
fn comments_are_skipped() {
    parses_to("-- all EHRs\nSELECT e -- the EHR\nFROM EHR e\n--", "SELECT e FROM EHR e");
}

#[test]
fn distinct_top_aggregates_and_functions() {
    let q = parses_to(
        "SELECT DISTINCT TOP 10 BACKWARD count(*) AS n, COUNT(DISTINCT c/uid/value), max(o/x/magnitude), length(c/name/value) FROM EHR e CONTAINS COMPOSITION c CONTAINS OBSERVATION o",
        "SELECT DISTINCT TOP 10 BACKWARD COUNT(*) AS n, COUNT(DISTINCT c/uid/value), MAX(o/x/magnitude), LENGTH(c/name/value) FROM EHR e CONTAINS COMPOSITION c CONTAINS OBSERVATION o",
    );
    assert!(q.distinct);
    assert_eq!(q.top, Some(Top { count: 10, direction: Some(TopDirection::Backward) }));
    assert_eq!(
        q.select[0].expr,
        ColumnExpr::Aggregate(AggregateCall { function: Aggregate::Count, distinct: false, argument: None })
    );
}

#[test]
fn node_predicates_of_every_form() {
    let q = parses_to(
        "SELECT o/data[at0001]/events[at0002, 'any event']/data[name/value='x' and archetype_node_id=at0003]/items[at0004,$name] FROM EHR e CONTAINS OBSERVATION o[openEHR-EHR-OBSERVATION.blood_pressure.v2]",
        "SELECT o/data[at0001]/events[at0002, 'any event']/data[name/value='x' and archetype_node_id=at0003]/items[at0004, $name] FROM EHR e CONTAINS OBSERVATION o[openEHR-EHR-OBSERVATION.blood_pressure.v2]",
    );
    let ColumnExpr::Path(path) = &q.select[0].expr else { panic!() };
    assert_eq!(path.variable, "o");
    assert_eq!(path.path.len(), 4);
    assert_eq!(
        path.path[1].predicate,
        Some(Predicate::Node {
            node: NodeId::Code("at0002".into()),
            name: Some(PredicateValue::Literal(Literal::String("any event".into())))
        })
    );
}

#[test]
fn contains_with_and_or_not_and_parentheses() {
    let q = parses_to(
        "SELECT c FROM EHR e CONTAINS (COMPOSITION c[openEHR-EHR-COMPOSITION.encounter.v1] CONTAINS OBSERVATION o AND (SECTION s OR CLUSTER k) AND COMPOSITION d NOT CONTAINS ACTION a)",
        "SELECT c FROM EHR e CONTAINS COMPOSITION c[openEHR-EHR-COMPOSITION.encounter.v1] CONTAINS OBSERVATION o AND (SECTION s OR CLUSTER k) AND COMPOSITION d NOT CONTAINS ACTION a",
    );
    // CONTAINS takes everything to its right, as in the AQL 1.1 grammar.
    let ContainsExpr::Class { contains: Some(c), .. } = &q.from else { panic!() };
    assert!(matches!(&c.inner, ContainsExpr::Class { contains: Some(_), .. }));
}

#[test]
fn where_with_comparison_matches_like_exists_not_and_parameters() {
    let report = parse_aql(
        "SELECT c FROM EHR e[ehr_id/value=$ehr_id] CONTAINS COMPOSITION c\n\
         WHERE c/name/value MATCHES {'a', \"b\", $other} AND NOT EXISTS c/context/other_context\n\
         OR c/uid/value LIKE 'x%' AND c/context/start_time/value >= '2019-01-01T00:00:00Z' AND c/x <> -1.5\n\
         AND c/y MATCHES {terminology://snomed-ct/hierarchy?rootConceptId=50043002} AND c/z > $ehr_id\n\
         AND c/r matches {/^Vit.*/}",
    );
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    assert_eq!(report.parameters, ["ehr_id", "other"]);
    let q = report.query.unwrap();
    let Some(Condition::Or(items)) = &q.where_ else { panic!("{:?}", q.where_) };
    assert_eq!(items.len(), 2);
    let Condition::And(right) = &items[1] else { panic!() };
    assert!(matches!(
        &right[1],
        Condition::Comparison { op: CmpOp::Ge, right: Operand::Literal(Literal::DateTime(_)), .. }
    ));
    assert!(
        matches!(&right[2], Condition::Comparison { op: CmpOp::Ne, right: Operand::Literal(Literal::Real(r)), .. } if r == "-1.5")
    );
    assert_eq!(
        q.to_string(),
        "SELECT c FROM EHR e[ehr_id/value=$ehr_id] CONTAINS COMPOSITION c WHERE c/name/value MATCHES {'a', 'b', $other} AND NOT EXISTS c/context/other_context OR c/uid/value LIKE 'x%' AND c/context/start_time/value >= '2019-01-01T00:00:00Z' AND c/x != -1.5 AND c/y MATCHES {terminology://snomed-ct/hierarchy?rootConceptId=50043002} AND c/z > $ehr_id AND c/r MATCHES {/^Vit.*/}"
    );
}

#[test]
fn literals_are_typed() {
    let q = parses_to(
        "SELECT 1, -2, 3.5, 'it\\'s', '2019-10-24', '10:30:00', true, FALSE, null FROM EHR e",
        "SELECT 1, -2, 3.5, 'it\\'s', '2019-10-24', '10:30:00', true, false, NULL FROM EHR e",
    );
    let literals: Vec<_> = q
        .select
        .iter()
        .map(|s| match &s.expr {
            ColumnExpr::Literal(l) => l.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        literals,
        [
            Literal::Integer(1),
            Literal::Integer(-2),
            Literal::Real("3.5".into()),
            Literal::String("it's".into()),
            Literal::Date("2019-10-24".into()),
            Literal::Time("10:30:00".into()),
            Literal::Boolean(true),
            Literal::Boolean(false),
            Literal::Null,
        ]
    );
}

#[test]
fn version_class_with_version_predicates() {
    parses_to(
        "SELECT v/commit_audit/time_committed FROM EHR e CONTAINS VERSION v[LATEST_VERSION] CONTAINS COMPOSITION c",
        "SELECT v/commit_audit/time_committed FROM EHR e CONTAINS VERSION v[LATEST_VERSION] CONTAINS COMPOSITION c",
    );
    parses_to("SELECT v FROM version v[all_versions]", "SELECT v FROM VERSION v[ALL_VERSIONS]");
}

#[test]
fn limit_and_offset() {
    let q = parses_to("SELECT e FROM EHR e LIMIT 10 OFFSET 20", "SELECT e FROM EHR e LIMIT 10 OFFSET 20");
    assert_eq!((q.limit, q.offset), (Some(10), Some(20)));
}

#[test]
fn legacy_forms_are_read_with_a_warning() {
    let report = parse_aql("SELECT e FROM EHR e LIMIT 5 ORDER BY e/time_created ASC");
    assert_eq!(codes(&report), [(Code::AqlLegacy, 1, 29, "/order_by")]);
    assert_eq!(report.diagnostics[0].severity, Severity::Warning);
    assert_eq!(report.query.unwrap().to_string(), "SELECT e FROM EHR e ORDER BY e/time_created ASC LIMIT 5");
    let report = parse_aql("SELECT e FROM EHR e TIMEWINDOW PT12H/2019-10-24");
    assert_eq!(codes(&report), [(Code::AqlLegacy, 1, 21, "/timewindow")]);
    assert_eq!(report.query.unwrap().timewindow.as_deref(), Some("PT12H/2019-10-24"));
}

#[test]
fn adl2_archetype_ids_are_accepted_in_predicates() {
    let report =
        parse_aql("SELECT o FROM EHR e CONTAINS OBSERVATION o[org.openehr::openEHR-EHR-OBSERVATION.bp.v1.0.0]");
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
}

#[test]
fn validate_aql_skips_a_bom_and_refuses_other_encodings() {
    assert!(validate_aql(b"\xEF\xBB\xBFSELECT e FROM EHR e").is_valid());
    let report = validate_aql(b"SELECT \xFF FROM EHR e");
    assert_eq!(report.diagnostics[0].code, Code::Encoding);
}

/// Brackets a containment only where something follows that its CONTAINS would take in, and an OR
/// only inside an AND.
#[test]
fn contains_lists_are_bracketed_only_where_the_tree_needs_it() {
    parses_to(
        "SELECT c FROM EHR e CONTAINS (COMPOSITION c CONTAINS OBSERVATION o) AND (FOLDER f CONTAINS (SECTION s OR CLUSTER k)) AND (EHR_STATUS t CONTAINS (ITEM_TREE i))",
        "SELECT c FROM EHR e CONTAINS (COMPOSITION c CONTAINS OBSERVATION o) AND (FOLDER f CONTAINS SECTION s OR CLUSTER k) AND EHR_STATUS t CONTAINS ITEM_TREE i",
    );
}

/// A tree parsed just under the depth limit prints to text that parses back: the printer never adds
/// nesting the text did not have. Found by the fuzz campaign: `A CONTAINS B AND C CONTAINS D AND ...`
/// printed as `A CONTAINS (B AND (C CONTAINS (D AND ...)))`, three levels per CONTAINS instead of one,
/// and `NOT NOT e/x = 1` as `NOT (NOT (e/x = 1))`.
#[test]
fn trees_at_the_depth_limit_print_to_text_that_parses_back() {
    let chain = |n: usize| {
        let links: String = (0..n).map(|i| format!("CLUSTER k{i} CONTAINS SECTION s{i} AND ")).collect();
        format!("SELECT e FROM EHR e CONTAINS {links}OBSERVATION o")
    };
    let nots = |n: usize| format!("SELECT e FROM EHR e WHERE {}e/x = 1 AND e/y = 2", "NOT ".repeat(n));
    let mixed =
        |n: usize| format!("SELECT e FROM EHR e WHERE {}e/x = 1 OR e/y = 2{}", "NOT (".repeat(n), ")".repeat(n));
    for (form, text) in [("chain", &chain as &dyn Fn(usize) -> String), ("nots", &nots), ("mixed", &mixed)] {
        let parsed = (0..=MAX_DEPTH).filter(|&n| parse_aql(&text(n)).query.is_some()).count();
        assert!((MAX_DEPTH / 2..=MAX_DEPTH).contains(&parsed), "{form}: {parsed} of the depths parse");
        for n in 0..=MAX_DEPTH {
            let Some(query) = parse_aql(&text(n)).query else { continue };
            let printed = query.to_string();
            let again = parse_aql(&printed);
            assert_eq!(again.query.as_ref(), Some(&query), "{form} at {n}: {printed}\n{:?}", again.diagnostics);
        }
    }
}

#[test]
fn deep_nesting_stops_with_a_limit_not_a_crash() {
    let deep = format!("SELECT e FROM EHR e WHERE {}e/x = 1{}", "(".repeat(10_000), ")".repeat(10_000));
    let report = parse_aql(&deep);
    assert_eq!(report.query, None);
    assert_eq!(codes(&report), [(Code::AqlLimitExceeded, 1, 27 + MAX_DEPTH as u32, "/where")]);
    let nots = format!("SELECT e FROM EHR e WHERE {}e/x = 1", "NOT ".repeat(10_000));
    assert_eq!(parse_aql(&nots).diagnostics[0].code, Code::AqlLimitExceeded);
    let brackets = format!("SELECT e{} FROM EHR e", "[a".repeat(10_000));
    assert_eq!(parse_aql(&brackets).diagnostics[0].code, Code::AqlLimitExceeded);
}

// ----- broken queries: exact code, line:column and clause -----

type Found = (Code, u32, u32, &'static str);

fn codes(report: &AqlReport) -> Vec<(Code, u32, u32, &str)> {
    report.diagnostics.iter().map(|d| (d.code, d.line, d.column, d.path.as_str())).collect()
}

/// The query has exactly these diagnostics.
#[track_caller]
fn broken(text: &str, expected: &[Found]) {
    let report = parse_aql(text);
    assert_eq!(codes(&report), expected, "{text}\n{:#?}", report.diagnostics);
}

/// The query has exactly one diagnostic, with this code, position and message fragment.
#[track_caller]
fn one(text: &str, code: Code, line: u32, column: u32, path: &str, message: &str) {
    let report = parse_aql(text);
    assert_eq!(report.diagnostics.len(), 1, "{text}\n{:#?}", report.diagnostics);
    let d = &report.diagnostics[0];
    assert_eq!((d.code, d.line, d.column, d.path.as_str()), (code, line, column, path), "{d}");
    assert!(d.message.contains(message), "{d}");
}

#[test]
fn empty_query() {
    one("  -- nothing\n", Code::AqlMissingClause, 1, 1, "", "the query is empty");
}

#[test]
fn query_not_starting_with_select() {
    one("FROM EHR e", Code::AqlMissingClause, 1, 1, "", "a query starts with SELECT, found FROM");
}

#[test]
fn missing_from() {
    one(
        "SELECT e/ehr_id/value\nWHERE e/x = 1",
        Code::AqlMissingClause,
        2,
        1,
        "/select",
        "expected FROM after the SELECT list, found WHERE",
    );
}

#[test]
fn missing_from_at_the_end() {
    one("SELECT e/ehr_id/value", Code::AqlMissingClause, 1, 22, "/select", "found the end of the query");
}

#[test]
fn missing_comma_between_columns() {
    one(
        "SELECT e/a e/b FROM EHR e",
        Code::AqlSyntax,
        1,
        12,
        "/select",
        "expected `,` or FROM after the column, found `e`",
    );
}

#[test]
fn trailing_comma_in_select() {
    one("SELECT e/a, e/b, FROM EHR e", Code::AqlSyntax, 1, 16, "/select", "trailing comma");
}

#[test]
fn empty_select_list() {
    one("SELECT FROM EHR e", Code::AqlSyntax, 1, 8, "/select", "expected a column after SELECT");
}

#[test]
fn missing_class_after_from() {
    one("SELECT e FROM", Code::AqlSyntax, 1, 14, "/from", "expected a class such as EHR or COMPOSITION after FROM");
}

#[test]
fn dangling_where() {
    one(
        "SELECT e FROM EHR e WHERE",
        Code::AqlSyntax,
        1,
        26,
        "/where",
        "expected a condition after WHERE, found the end",
    );
}

#[test]
fn dangling_and() {
    one("SELECT e FROM EHR e\nWHERE e/a = 1 AND\n", Code::AqlSyntax, 2, 18, "/where", "expected a condition after AND");
}

#[test]
fn dangling_contains() {
    one(
        "SELECT e FROM EHR e CONTAINS WHERE e/a = 1",
        Code::AqlSyntax,
        1,
        30,
        "/from",
        "expected a class after CONTAINS, found WHERE",
    );
}

#[test]
fn double_equals_is_a_bad_operator() {
    one("SELECT e FROM EHR e WHERE e/a == 1", Code::AqlBadToken, 1, 31, "/where", "`==` is not an AQL operator");
}

#[test]
fn missing_operator() {
    one("SELECT e FROM EHR e WHERE e/a 1", Code::AqlSyntax, 1, 31, "/where", "expected a comparison operator");
}

#[test]
fn missing_value_after_operator() {
    one(
        "SELECT e FROM EHR e WHERE e/a => 1",
        Code::AqlSyntax,
        1,
        32,
        "/where",
        "expected a value after `=`, found `>`",
    );
}

#[test]
fn unclosed_string() {
    one("SELECT e FROM EHR e\nWHERE e/a = 'abc", Code::AqlUnclosedString, 2, 13, "/where", "not closed");
}

#[test]
fn unclosed_predicate() {
    one(
        "SELECT c FROM EHR e CONTAINS COMPOSITION c[openEHR-EHR-COMPOSITION.minimal.v1",
        Code::AqlUnclosed,
        1,
        43,
        "/from",
        "the `[` is not closed",
    );
}

#[test]
fn unclosed_predicate_before_a_clause() {
    one("SELECT c/data[at0001 FROM EHR e CONTAINS COMPOSITION c", Code::AqlUnclosed, 1, 14, "/select", "found FROM");
}

#[test]
fn unclosed_parenthesis() {
    one("SELECT e FROM EHR e WHERE (e/a = 1 OR e/b = 2", Code::AqlUnclosed, 1, 27, "/where", "the `(` is not closed");
}

#[test]
fn unclosed_matches_list() {
    one("SELECT e FROM EHR e WHERE e/a MATCHES {'a', 'b'", Code::AqlUnclosed, 1, 39, "/where", "the `{` is not closed");
}

#[test]
fn limit_without_a_number() {
    one("SELECT e FROM EHR e LIMIT", Code::AqlBadNumber, 1, 26, "/limit", "LIMIT needs a non-negative integer");
}

#[test]
fn negative_limit() {
    one("SELECT e FROM EHR e LIMIT -1", Code::AqlBadNumber, 1, 27, "/limit", "found `-`");
}

#[test]
fn offset_without_a_number() {
    one(
        "SELECT e FROM EHR e LIMIT 1 OFFSET x",
        Code::AqlBadNumber,
        1,
        36,
        "/limit",
        "OFFSET needs a non-negative integer",
    );
}

#[test]
fn integer_too_large() {
    one("SELECT e FROM EHR e WHERE e/a = 99999999999999999999", Code::AqlBadNumber, 1, 33, "/where", "does not fit");
}

#[test]
fn order_without_by() {
    one("SELECT e FROM EHR e ORDER e/a", Code::AqlSyntax, 1, 27, "/order_by", "expected BY after ORDER");
}

#[test]
fn unknown_variable() {
    one("SELECT x/name/value FROM EHR e", Code::AqlUnknownVariable, 1, 8, "/select", "`x` is not defined in FROM");
}

#[test]
fn unknown_variable_in_where_and_order_by() {
    broken(
        "SELECT e FROM EHR e WHERE o/a = 1\nORDER BY c/b",
        &[(Code::AqlUnknownVariable, 1, 27, "/where"), (Code::AqlUnknownVariable, 2, 10, "/order_by")],
    );
}

#[test]
fn order_by_may_name_an_alias_but_not_a_path_under_it() {
    let report = parse_aql("SELECT e/time_created/value AS t FROM EHR e ORDER BY t DESC");
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    one("SELECT e/a AS t FROM EHR e ORDER BY t/value", Code::AqlUnknownVariable, 1, 37, "/order_by", "`t`");
}

#[test]
fn top_before_distinct_is_read_as_distinct_top() {
    parses_to("SELECT TOP 5 DISTINCT e FROM EHR e", "SELECT DISTINCT TOP 5 e FROM EHR e");
}

#[test]
fn duplicate_variable() {
    one(
        "SELECT c FROM EHR c CONTAINS COMPOSITION c",
        Code::AqlDuplicateVariable,
        1,
        42,
        "/from",
        "`c` is defined twice",
    );
}

#[test]
fn duplicate_alias() {
    one("SELECT e/a AS x, e/b AS x FROM EHR e", Code::AqlDuplicateAlias, 1, 25, "/select", "`x` is used twice");
}

#[test]
fn bad_archetype_id() {
    one(
        "SELECT c FROM EHR e CONTAINS COMPOSITION c[openEHR-EHR-COMPOSITION.minimal]",
        Code::AqlInvalidArchetypeId,
        1,
        75,
        "/from",
        "`openEHR-EHR-COMPOSITION.minimal` is not a valid archetype id",
    );
}

#[test]
fn bad_archetype_id_in_a_path() {
    one(
        "SELECT c/content[openEHR-EHR-OBSERVATION-bp.v1] FROM EHR e CONTAINS COMPOSITION c",
        Code::AqlInvalidArchetypeId,
        1,
        41,
        "/select",
        "is not a valid archetype id",
    );
}

#[test]
fn unexpected_character() {
    one("SELECT e FROM EHR e WHERE e/a = 1 # comment", Code::AqlBadToken, 1, 35, "/where", "unexpected character `#`");
}

#[test]
fn a_lexical_error_right_after_a_clause_keyword_belongs_to_that_clause() {
    one("SELECT e FROM EHR e WHERE # x", Code::AqlBadToken, 1, 27, "/where", "unexpected character `#`");
}

#[test]
fn aggregate_not_closed_after_its_path() {
    one("SELECT COUNT(e/a e/b) FROM EHR e", Code::AqlSyntax, 1, 18, "/select", "expected `)`, found `e`");
}

#[test]
fn a_trailing_semicolon_is_read_with_a_warning() {
    let report = parse_aql("SELECT e FROM EHR e WHERE e/a = $a;\n");
    assert_eq!(codes(&report), [(Code::AqlLegacy, 1, 35, "/where")]);
    assert!(report.query.is_some());
}

#[test]
fn a_semicolon_inside_the_query_is_an_error() {
    one("SELECT e FROM EHR e; WHERE e/a = 1", Code::AqlBadToken, 1, 20, "/from", "`;` may only end the query");
}

#[test]
fn stray_characters_in_a_skipped_clause_are_not_reported_again() {
    one("SELECT e FROM EHR e WHERE e/a 1 # ^ .", Code::AqlSyntax, 1, 31, "/where", "expected a comparison operator");
}

#[test]
fn alias_missing_after_as() {
    one("SELECT e AS FROM EHR e", Code::AqlSyntax, 1, 13, "/select", "expected an alias after AS, found FROM");
}

#[test]
fn garbage_after_the_query() {
    one(
        "SELECT e FROM EHR e LIMIT 1 foo",
        Code::AqlSyntax,
        1,
        29,
        "/limit",
        "expected WHERE, ORDER BY, LIMIT or the end",
    );
}

#[test]
fn where_after_order_by() {
    one("SELECT e FROM EHR e ORDER BY e/a WHERE e/a = 1", Code::AqlSyntax, 1, 34, "/order_by", "WHERE is out of place");
}

#[test]
fn like_needs_a_string() {
    one(
        "SELECT e FROM EHR e WHERE e/a LIKE 5",
        Code::AqlSyntax,
        1,
        36,
        "/where",
        "expected a string or a $parameter after LIKE",
    );
}

#[test]
fn parameter_without_name() {
    one("SELECT e FROM EHR e WHERE e/a = $", Code::AqlBadToken, 1, 33, "/where", "`$` must be followed");
}

#[test]
fn every_broken_clause_is_reported_in_one_pass() {
    broken(
        "SELECT e/a, FROM EHR e WHERE e/a == 1 ORDER e/a LIMIT x",
        &[
            (Code::AqlSyntax, 1, 11, "/select"),
            (Code::AqlBadToken, 1, 34, "/where"),
            (Code::AqlSyntax, 1, 45, "/order_by"),
            (Code::AqlBadNumber, 1, 55, "/limit"),
        ],
    );
}

#[test]
fn positions_count_characters_not_bytes() {
    one("SELECT e FROM EHR e WHERE e/a = 'ä' AND e/b == 1", Code::AqlBadToken, 1, 45, "/where", "`==`");
}

// ----- any input: no panic, positions inside the text, valid trees round-trip -----

#[track_caller]
fn sound(text: &str) {
    let report = parse_aql(text);
    let lines: Vec<&str> = text.split('\n').collect();
    for d in &report.diagnostics {
        assert!(d.line >= 1 && d.column >= 1, "{d}");
        let line = lines.get(d.line as usize - 1).unwrap_or_else(|| panic!("{d} past the last line"));
        assert!(d.column as usize <= line.chars().count() + 1, "{d} past the end of its line");
    }
    if let Some(query) = &report.query {
        let again = parse_aql(&query.to_string());
        assert_eq!(again.query.as_ref(), Some(query), "{text}");
    }
}

fn fragment() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "SELECT ",
        "FROM ",
        "WHERE ",
        "CONTAINS ",
        "AND ",
        "OR ",
        "NOT ",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        "/",
        "e",
        "c",
        "EHR ",
        "COMPOSITION ",
        "at0001",
        "openEHR-EHR-OBSERVATION.bp.v1",
        "'x'",
        "'",
        "$p",
        "=",
        "!=",
        "<",
        " matches ",
        " like ",
        "1",
        "-",
        "2.5",
        "ORDER BY ",
        "LIMIT ",
        "OFFSET ",
        "AS ",
        "\n",
        "--",
        "ä",
        "COUNT(*)",
        "TIMEWINDOW ",
        "EXISTS ",
        "true",
        "*",
        "#",
        "==",
        " ",
    ])
    .prop_map(str::to_string)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn token_soup_never_panics(parts in prop::collection::vec(fragment(), 0..40)) {
        sound(&parts.concat());
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,80}") {
        sound(&text);
    }

    #[test]
    fn truncated_real_queries_never_panic(index in 0usize..168, cut in 0usize..600) {
        let (_, text) = &corpus()[index];
        let cut = text.char_indices().map(|(i, _)| i).nth(cut).unwrap_or(text.len());
        sound(&text[..cut]);
    }
}

#[cfg(feature = "serde")]
#[test]
fn the_report_serializes_with_the_tree_and_round_trips_through_json() {
    let report = parse_aql("SELECT e/ehr_id/value AS id FROM EHR e[ehr_id/value=$ehr_id] WHERE e/x >= 1");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["parameters"], serde_json::json!(["ehr_id"]));
    assert_eq!(json["query"]["select"][0]["alias"], "id");
    assert_eq!(json["query"]["where"]["comparison"]["op"], ">=");
    let back: AqlReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
}
