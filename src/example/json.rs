//! A minimal JSON writer for examples, so the core needs no JSON dependency.

use std::fmt::Write;

use super::{FlatValue, Structured};

/// `"s"` with JSON escapes.
pub(super) fn string(out: &mut String, s: &str) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

pub(super) fn value(out: &mut String, v: &FlatValue) {
    match v {
        FlatValue::Text(s) => string(out, s),
        FlatValue::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        // `{:?}` keeps a decimal point (`37.0`), so readers see a decimal, not an integer.
        FlatValue::Decimal(d) if d.is_finite() => {
            let _ = write!(out, "{d:?}");
        }
        FlatValue::Decimal(_) => out.push_str("null"),
        FlatValue::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
    }
}

pub(super) fn flat(entries: &[(String, FlatValue)]) -> String {
    let mut out = String::with_capacity(entries.len() * 64 + 4);
    out.push('{');
    for (i, (k, v)) in entries.iter().enumerate() {
        out.push_str(if i == 0 { "\n  " } else { ",\n  " });
        string(&mut out, k);
        out.push_str(": ");
        value(&mut out, v);
    }
    out.push_str(if entries.is_empty() { "}" } else { "\n}" });
    out
}

pub(super) fn structured(s: &Structured) -> String {
    let mut out = String::new();
    write_structured(&mut out, s, 0);
    out
}

fn indent(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write_structured(out: &mut String, s: &Structured, depth: usize) {
    match s {
        Structured::Value(v) => value(out, v),
        Structured::Object(members) => {
            out.push('{');
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, depth + 1);
                string(out, k);
                out.push_str(": ");
                write_structured(out, v, depth + 1);
            }
            if !members.is_empty() {
                indent(out, depth);
            }
            out.push('}');
        }
        Structured::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, depth + 1);
                write_structured(out, v, depth + 1);
            }
            if !items.is_empty() {
                indent(out, depth);
            }
            out.push(']');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        let mut out = String::new();
        string(&mut out, "a\"b\\c\n\u{1}é");
        assert_eq!(out, "\"a\\\"b\\\\c\\n\\u0001é\"");
    }

    #[test]
    fn decimals_keep_a_point() {
        let mut out = String::new();
        value(&mut out, &FlatValue::Decimal(37.0));
        assert_eq!(out, "37.0");
    }
}
