//! Version patterns: parse/display, the VER001 column of every bad pattern, resolution and the
//! next stored-query version, plus the ordering and prefix laws as properties.

use openehr_definitions::version::{Version, next_query_version_str, resolve_str};
use openehr_definitions::{Code, VersionPattern, next_query_version, resolve};
use proptest::prelude::*;

fn v(s: &str) -> Version {
    Version::parse(s).unwrap()
}

fn versions(list: &[&str]) -> Vec<Version> {
    list.iter().map(|s| v(s)).collect()
}

#[test]
fn patterns_parse_and_display() {
    let cases = [
        ("", VersionPattern::Any),
        ("1", VersionPattern::Major(1)),
        ("0", VersionPattern::Major(0)),
        ("1.0", VersionPattern::MajorMinor(1, 0)),
        ("10.20", VersionPattern::MajorMinor(10, 20)),
        ("1.0.1", VersionPattern::Exact(v("1.0.1"))),
        ("1.0.1-beta.2", VersionPattern::Exact(v("1.0.1-beta.2"))),
        ("1.0.1-rc.1+build.7", VersionPattern::Exact(v("1.0.1-rc.1+build.7"))),
        ("1.0.1+b-0", VersionPattern::Exact(v("1.0.1+b-0"))),
    ];
    for (text, pattern) in cases {
        assert_eq!(VersionPattern::parse(text), Ok(pattern.clone()), "{text:?}");
        assert_eq!(text.parse::<VersionPattern>(), Ok(pattern.clone()));
        assert_eq!(pattern.to_string(), text);
    }
}

#[test]
fn bad_patterns_are_ver001_at_the_bad_character() {
    let cases: &[(&str, u32)] = &[
        ("x", 1),
        ("1.", 3),
        ("01", 1),
        ("1.01", 3),
        ("1.0.0.0", 6),
        ("v1", 1),
        (" 1", 1),
        ("1 ", 2),
        ("1..2", 3),
        ("-1", 1),
        ("1-beta", 2),
        ("1.0+b", 4),
        ("1.0.0-", 7),
        ("1.0.0-beta..1", 12),
        ("1.0.0-01", 7),
        ("1.0.0-b_1", 8),
        ("1.0.0+a+b", 8),
        ("99999999999999999999", 1),
        ("1.ä", 3),
    ];
    for (text, column) in cases {
        let d = VersionPattern::parse(text).unwrap_err();
        assert_eq!((d.code, d.line, d.column, d.path.as_str()), (Code::VersionMalformed, 1, *column, ""), "{text:?}");
        assert!(d.message.contains(&format!("`{text}`")), "{}", d.message);
    }
}

#[test]
fn resolve_picks_the_highest_matching_release() {
    let all = versions(&["1.0.0", "1.2.0", "1.2.5", "1.10.1", "2.0.0-rc.1", "2.0.0-rc.2", "0.9.0", "3.0.0-beta"]);
    let resolved = |p: &str| resolve(&VersionPattern::parse(p).unwrap(), &all).map(ToString::to_string);
    assert_eq!(resolved(""), Some("1.10.1".into()));
    assert_eq!(resolved("1"), Some("1.10.1".into()));
    assert_eq!(resolved("1.2"), Some("1.2.5".into()));
    assert_eq!(resolved("0"), Some("0.9.0".into()));
    assert_eq!(resolved("2"), None);
    assert_eq!(resolved("3.0"), None);
    assert_eq!(resolved("2.0.0-rc.1"), Some("2.0.0-rc.1".into()));
    assert_eq!(resolved("1.2.0"), Some("1.2.0".into()));
    assert_eq!(resolved("1.2.1"), None);
    assert_eq!(resolved("1.2.0+build.1"), Some("1.2.0".into()));
    assert_eq!(resolve(&VersionPattern::Any, &[]), None);
}

#[test]
fn next_query_version_bumps_the_requested_part() {
    let existing = versions(&["1.0.0", "1.1.0", "1.1.3", "2.0.0", "4.0.0-rc.1", "1.2.0-beta"]);
    let next = |p: &str| next_query_version(&VersionPattern::parse(p).unwrap(), &existing).map(|v| v.to_string());
    assert_eq!(next(""), Ok("3.0.0".into()));
    assert_eq!(next("1"), Ok("1.2.0".into()));
    assert_eq!(next("7"), Ok("7.0.0".into()));
    assert_eq!(next("1.1"), Ok("1.1.4".into()));
    assert_eq!(next("1.2"), Ok("1.2.0".into()));
    assert_eq!(next("2.3"), Ok("2.3.0".into()));
    assert_eq!(next("1.5.0"), Ok("1.5.0".into()));
    assert_eq!(next("4.0.0"), Ok("4.0.0".into()));
    assert_eq!(next("1.1.3").unwrap_err().code, Code::VersionExists);
    assert_eq!(next("4.0.0-rc.1").unwrap_err().code, Code::VersionExists);
    assert_eq!(next("4.0.0-rc.2"), Ok("4.0.0-rc.2".into()));
    assert_eq!(next_query_version(&VersionPattern::Any, &[]), Ok(v("1.0.0")));
    let huge = versions(&["18446744073709551615.0.0"]);
    assert_eq!(next_query_version(&VersionPattern::Any, &huge).unwrap_err().code, Code::VersionMalformed);
}

#[test]
fn string_conveniences() {
    assert_eq!(resolve_str("1", &["1.0.0", "1.3.0", "2.0.0"]), Ok(Some("1.3.0".into())));
    assert_eq!(resolve_str("3", &["1.0.0"]), Ok(None));
    assert_eq!(resolve_str("1.x", &["1.0.0"]).unwrap_err().column, 3);
    let bad = resolve_str("1", &["1.0.0", "1.0"]).unwrap_err();
    assert_eq!(bad.code, Code::VersionMalformed);
    assert!(bad.message.contains("`1.0`"), "{}", bad.message);
    let bad = resolve_str("1", &["1.0.x"]).unwrap_err();
    assert_eq!((bad.code, bad.column), (Code::VersionMalformed, 5));
    assert!(bad.message.contains("stored version `1.0.x`"), "{}", bad.message);
    assert_eq!(next_query_version_str("1.0", &["1.0.0", "1.0.1"]), Ok("1.0.2".into()));
    assert_eq!(next_query_version_str("1.0.1", &["1.0.1"]).unwrap_err().code, Code::VersionExists);
}

fn any_version() -> impl Strategy<Value = Version> {
    (0u64..4, 0u64..4, 0u64..4, prop::option::of(prop::sample::select(vec!["rc", "alpha", "beta.1"]))).prop_map(
        |(major, minor, patch, pre)| {
            let mut v = Version::new(major, minor, patch);
            if let Some(pre) = pre {
                v.pre = semver::Prerelease::new(pre).unwrap();
            }
            v
        },
    )
}

fn any_pattern() -> impl Strategy<Value = VersionPattern> {
    prop_oneof![
        Just(VersionPattern::Any),
        (0u64..4).prop_map(VersionPattern::Major),
        (0u64..4, 0u64..4).prop_map(|(a, b)| VersionPattern::MajorMinor(a, b)),
        any_version().prop_map(VersionPattern::Exact),
    ]
}

proptest! {
    #[test]
    fn pattern_round_trips(pattern in any_pattern()) {
        prop_assert_eq!(VersionPattern::parse(&pattern.to_string()).unwrap(), pattern);
    }

    #[test]
    fn resolve_ordering_and_prefix_laws(pattern in any_pattern(), all in prop::collection::vec(any_version(), 0..12)) {
        match resolve(&pattern, &all) {
            Some(found) => {
                prop_assert!(all.contains(found));
                prop_assert!(pattern.matches(found));
                prop_assert!(!all.iter().any(|v| pattern.matches(v) && v > found));
                match &pattern {
                    VersionPattern::Major(m) => prop_assert_eq!(found.major, *m),
                    VersionPattern::MajorMinor(m, n) => prop_assert_eq!((found.major, found.minor), (*m, *n)),
                    VersionPattern::Exact(e) => prop_assert_eq!(found, e),
                    VersionPattern::Any => prop_assert!(found.pre.is_empty()),
                }
            }
            None => prop_assert!(!all.iter().any(|v| pattern.matches(v))),
        }
    }

    #[test]
    fn next_version_is_new_and_matches(pattern in any_pattern(), all in prop::collection::vec(any_version(), 0..12)) {
        match next_query_version(&pattern, &all) {
            Ok(next) => {
                prop_assert!(!all.contains(&next));
                prop_assert!(pattern.matches(&next));
            }
            Err(d) => {
                prop_assert_eq!(d.code, Code::VersionExists);
                let VersionPattern::Exact(e) = &pattern else { return Err(TestCaseError::fail("only Exact conflicts")) };
                prop_assert!(all.contains(e));
            }
        }
    }

    #[test]
    fn parse_never_panics_and_round_trips(s in "[0-9.+a-z -]{0,14}") {
        if let Ok(pattern) = VersionPattern::parse(&s) {
            prop_assert_eq!(VersionPattern::parse(&pattern.to_string()).unwrap(), pattern);
        }
    }
}
