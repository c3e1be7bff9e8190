//! Checking one FLAT value against the web template input it fills: JSON type, closed code lists,
//! units, ranges, precision, ISO 8601 syntax and date/time patterns.

use super::iso;
use crate::diagnostic::{Code, Diagnostic};
use crate::json::{Json, Value};
use crate::web_template::{self as wt, Input, Node, Range};

/// Where a value sits, for diagnostics.
pub struct At<'a> {
    pub key: &'a str,
    pub json: &'a Json,
}

impl At<'_> {
    fn diag(&self, code: Code, message: String) -> Diagnostic {
        Diagnostic::new(code, message, self.json.pos.line, self.json.pos.column, self.key)
    }
}

/// The value as text: strings as they are, numbers by their JSON text, booleans as words.
pub fn text(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) | Value::Number(s) => Some(s),
        Value::Bool(true) => Some("true"),
        Value::Bool(false) => Some("false"),
        _ => None,
    }
}

/// The input a suffix fills: the input with that suffix, or the suffix-less one for plain keys.
/// A node whose one input has no suffix (DV_ORDINAL's codes, DV_COUNT's integer) takes it through
/// the RM suffix FLAT writes for it (`|code`, `|magnitude`).
pub fn input_for<'w>(node: &'w Node, suffix: Option<&str>) -> Option<&'w Input> {
    let want = suffix.unwrap_or("");
    let exact = node.inputs.iter().find(|i| i.suffix.as_deref().unwrap_or("") == want);
    let alias = match (node.rm_type.as_str(), want) {
        ("DV_ORDINAL" | "DV_SCALE", "code") | ("DV_COUNT", "magnitude") => {
            node.inputs.iter().find(|i| i.suffix.is_none())
        }
        _ => None,
    };
    exact.or(alias)
}

/// Checks `value` for `node|suffix`; `unit` is the sibling `|unit` of a quantity, whose own
/// list entry carries the magnitude's range.
pub fn check(node: &Node, suffix: Option<&str>, at: &At<'_>, unit: Option<&str>, out: &mut Vec<Diagnostic>) {
    let v = &at.json.value;
    if matches!(v, Value::Null) {
        return;
    }
    let s = suffix.unwrap_or("");
    if s == "raw" {
        return raw(at, out);
    }
    // Plain values of date/time/duration nodes, whatever inputs the builder split them into.
    match (node.rm_type.as_str(), s) {
        ("DV_DURATION", "" | "value") => return duration(node, at, out),
        ("DV_DATE_TIME", "" | "value") => return date_time(node, at, iso::parse_date_time, "date-time", out),
        ("DV_DATE", "" | "value") => return date_time(node, at, iso::parse_date, "date", out),
        ("DV_TIME", "" | "value") => return date_time(node, at, iso::parse_time, "time", out),
        _ => {}
    }
    if let Some(input) = input_for(node, suffix) {
        let validation = match (node.rm_type.as_str(), s, unit) {
            ("DV_QUANTITY", "magnitude", Some(u)) => node
                .inputs
                .iter()
                .find(|i| i.suffix.as_deref() == Some("unit"))
                .and_then(|i| i.list.iter().find(|c| c.value == u))
                .and_then(|c| c.validation.as_ref())
                .or(input.validation.as_ref()),
            _ => input.validation.as_ref(),
        };
        return typed(node, input, validation, at, out);
    }
    generic(s, at, out);
}

fn typed(node: &Node, input: &Input, validation: Option<&wt::Validation>, at: &At<'_>, out: &mut Vec<Diagnostic>) {
    let v = &at.json.value;
    match input.input_type.as_str() {
        "INTEGER" | "DECIMAL" => {
            let Some(n) = number(v) else {
                out.push(at.diag(Code::FlatValueType, format!("expected a number, found {}", kind(v))));
                return;
            };
            if input.input_type == "INTEGER" && n.fract() != 0.0 {
                out.push(at.diag(Code::FlatValueType, format!("expected an integer, found {n}")));
                return;
            }
            if let Some(r) = validation.and_then(|v| v.range.as_ref()) {
                range(n, r, at, out);
            }
            if let (Some(p), Some(t)) = (validation.and_then(|v| v.precision.as_ref()), text(v)) {
                precision(t, p, at, out);
            }
        }
        "BOOLEAN" => {
            if !matches!(v, Value::Bool(_)) && !matches!(text(v), Some("true" | "false")) {
                out.push(at.diag(Code::FlatValueType, format!("expected a boolean, found {}", kind(v))));
            }
        }
        "CODED_TEXT" => {
            let Some(t) = scalar(at, out) else { return };
            if input.list.is_empty() || input.list_open == Some(true) || input.list.iter().any(|c| c.value == t) {
                return;
            }
            let allowed: Vec<&str> = input.list.iter().map(|c| c.value.as_str()).take(12).collect();
            let code = if node.rm_type == "DV_QUANTITY" { Code::FlatUnit } else { Code::FlatNotInList };
            out.push(at.diag(code, format!("{t:?} is not one of {}", allowed.join(", "))));
        }
        _ => {
            scalar(at, out);
        }
    }
}

/// RM suffixes without a web template input: type-check the ones with a fixed RM type.
fn generic(suffix: &str, at: &At<'_>, out: &mut Vec<Diagnostic>) {
    let v = &at.json.value;
    let want_number = matches!(suffix, "magnitude" | "numerator" | "denominator" | "accuracy");
    let want_integer = matches!(suffix, "precision" | "ordinal" | "size" | "type");
    let want_bool = matches!(
        suffix,
        "lower_included"
            | "upper_included"
            | "lower_unbounded"
            | "upper_unbounded"
            | "accuracy_is_percent"
            | "is_terminal"
    );
    if want_number || want_integer {
        match number(v) {
            None => out.push(at.diag(Code::FlatValueType, format!("expected a number, found {}", kind(v)))),
            Some(n) if want_integer && n.fract() != 0.0 => {
                out.push(at.diag(Code::FlatValueType, format!("expected an integer, found {n}")))
            }
            _ => {}
        }
    } else if want_bool {
        if !matches!(v, Value::Bool(_)) && !matches!(text(v), Some("true" | "false")) {
            out.push(at.diag(Code::FlatValueType, format!("expected a boolean, found {}", kind(v))));
        }
    } else {
        scalar(at, out);
    }
}

fn scalar<'a>(at: &'a At<'_>, out: &mut Vec<Diagnostic>) -> Option<&'a str> {
    let t = text(&at.json.value);
    if t.is_none() {
        out.push(at.diag(Code::FlatValueType, format!("expected a text, found {}", kind(&at.json.value))));
    }
    t
}

fn date_time(node: &Node, at: &At<'_>, parse: fn(&str) -> Option<iso::Parts>, what: &str, out: &mut Vec<Diagnostic>) {
    let Some(t) = scalar(at, out) else { return };
    let Some(parts) = parse(t) else {
        out.push(at.diag(Code::FlatIso8601, format!("{t:?} is not an ISO 8601 {what}")));
        return;
    };
    let pattern = node.inputs.iter().find_map(|i| i.validation.as_ref().and_then(|v| v.pattern.as_deref()));
    if let Some(p) = pattern
        && let Some(part) = iso::pattern_violation(p, &parts)
    {
        out.push(at.diag(Code::FlatPattern, format!("{t:?} does not match the pattern {p} ({part})")));
    }
}

fn duration(node: &Node, at: &At<'_>, out: &mut Vec<Diagnostic>) {
    let Some(t) = scalar(at, out) else { return };
    let Some(d) = iso::parse_duration(t) else {
        out.push(at.diag(Code::FlatIso8601, format!("{t:?} is not an ISO 8601 duration")));
        return;
    };
    for (field, value) in iso::DURATION_FIELDS.iter().zip(d.fields) {
        let Some(value) = value else { continue };
        let r = input_for(node, Some(field)).and_then(|i| i.validation.as_ref()).and_then(|v| v.range.as_ref());
        if let Some(r) = r {
            let before = out.len();
            range(value, r, at, out);
            if let Some(d) = out.get_mut(before) {
                d.message = format!("{t:?}: {field} {}", d.message);
            }
        }
    }
}

/// `|raw` carries the node as canonical JSON in a string: it must at least be a JSON object.
fn raw(at: &At<'_>, out: &mut Vec<Diagnostic>) {
    let Value::String(t) = &at.json.value else {
        out.push(at.diag(Code::FlatValueType, format!("|raw takes a JSON text, found {}", kind(&at.json.value))));
        return;
    };
    match crate::json::parse(t) {
        Ok(Json { value: Value::Object(_), .. }) => {}
        Ok(_) => out.push(at.diag(Code::FlatValueType, "|raw is not a JSON object".into())),
        Err(e) => out.push(at.diag(Code::FlatValueType, format!("|raw is not JSON: {}", e.message))),
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(s) => s.parse().ok(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    }
}

fn bound(v: &wt::Value) -> Option<f64> {
    match v {
        wt::Value::Integer(i) => Some(*i as f64),
        wt::Value::Decimal(d) => Some(*d),
        _ => None,
    }
}

fn range(n: f64, r: &Range, at: &At<'_>, out: &mut Vec<Diagnostic>) {
    let low = r.min.as_ref().and_then(bound).map(|m| (m, r.min_op.as_deref() == Some(">")));
    let high = r.max.as_ref().and_then(bound).map(|m| (m, r.max_op.as_deref() == Some("<")));
    let below = low.is_some_and(|(m, strict)| if strict { n <= m } else { n < m });
    let above = high.is_some_and(|(m, strict)| if strict { n >= m } else { n > m });
    if below || above {
        let lo = low.map(|(m, s)| format!("{}{m}", if s { ">" } else { ">=" }));
        let hi = high.map(|(m, s)| format!("{}{m}", if s { "<" } else { "<=" }));
        let bounds: Vec<String> = lo.into_iter().chain(hi).collect();
        out.push(at.diag(Code::FlatOutOfRange, format!("{n} is outside {}", bounds.join(" and "))));
    }
}

/// Decimal places of a number's text, trailing zeros ignored (`120.0` has none).
fn decimals(t: &str) -> Option<i64> {
    if t.contains(['e', 'E']) {
        return None;
    }
    let frac = t.trim().split_once('.').map_or("", |(_, f)| f).trim_end_matches('0');
    Some(frac.len() as i64)
}

fn precision(t: &str, p: &Range, at: &At<'_>, out: &mut Vec<Diagnostic>) {
    let (Some(d), Some(max)) = (decimals(t), p.max.as_ref().and_then(bound)) else { return };
    // A negative precision (the AOM's `-1`) leaves the decimals unconstrained.
    if max < 0.0 {
        return;
    }
    let strict = p.max_op.as_deref() == Some("<");
    if (strict && d as f64 >= max) || (!strict && d as f64 > max) {
        out.push(at.diag(Code::FlatPrecision, format!("{t} has {d} decimal places, at most {max} allowed")));
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
