use super::*;

fn err(text: &str) -> JsonError {
    parse(text).expect_err(text)
}

#[test]
fn values_and_positions() {
    let j = parse("{\n  \"a\": [1, -2.5e3, true, null],\n  \"é\": \"x\\u00e9\\ud83d\\ude00\"\n}").unwrap();
    let Value::Object(m) = j.value else { panic!() };
    assert_eq!(m[0].key_pos, Pos { line: 2, column: 3 });
    assert_eq!(m[0].value.pos, Pos { line: 2, column: 8 });
    assert_eq!(m[1].key, "é");
    assert_eq!(m[1].value.pos, Pos { line: 3, column: 8 });
    assert_eq!(m[1].value.value, Value::String("xé😀".into()));
    let Value::Array(a) = &m[0].value.value else { panic!() };
    assert_eq!(a[1].value, Value::Number("-2.5e3".into()));
}

#[test]
fn strict_errors() {
    assert_eq!(err("{\"a\":1,}").pos, Pos { line: 1, column: 8 });
    assert_eq!(err("[1 2]").pos, Pos { line: 1, column: 4 });
    assert_eq!(err("01").pos, Pos { line: 1, column: 2 });
    assert_eq!(err("\"a\u{1}\"").pos, Pos { line: 1, column: 3 });
    assert_eq!(err("").pos, Pos { line: 1, column: 1 });
    assert_eq!(err("{} x").message, "unexpected text after the JSON value");
    assert_eq!(err("\"\\ud800\"").message, "unpaired surrogate in \\u escape");
    assert_eq!(err("[tru]").message, "invalid literal");
}

#[test]
fn depth_limit_without_overflow() {
    let deep = "[".repeat(100_000);
    assert!(err(&deep).message.starts_with("nesting deeper"));
    let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert!(parse(&ok).is_ok());
}

#[test]
fn escape_round_trip() {
    let mut s = String::new();
    escape_into(&mut s, "a\"\\\n\u{1}é");
    assert_eq!(parse(&s).unwrap().value, Value::String("a\"\\\n\u{1}é".into()));
}
