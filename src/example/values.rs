//! Example values for one leaf node, per RM type, inside its inputs' constraints.

use super::FlatValue;
use crate::web_template::{CodedValue, Input, Node, Range, Value};

/// The fixed example instant: examples never read the clock.
pub(super) const DATE_TIME: &str = "2022-02-03T04:05:06Z";
const DATE: &str = "2022-02-03";
const TIME: &str = "04:05:06";
/// The version id a repository would have assigned (fixed, like every example value).
pub(super) const VERSION_UID: &str = "8849182c-82ad-4088-a07f-48ead4180515::example.org::1";
pub(super) const COMPOSER: &str = "Silvia Blake";
pub(super) const TERRITORY: &str = "US";
const TEXT: &str = "Lorem ipsum";

/// What a leaf needs besides the node.
pub(super) struct LeafCtx<'a> {
    pub(super) language: &'a str,
    /// The ISM state consistent with the careflow step the example chose, if any.
    pub(super) ism_state: Option<&'a str>,
    /// Complete examples also write optional RM attributes (a composer's identifiers).
    pub(super) complete: bool,
    /// Output examples also write what the CDR derives (a proportion's value).
    pub(super) output: bool,
}

/// `(suffix, value)` pairs of a leaf; the empty suffix is the bare path.
pub(super) type Fields = Vec<(&'static str, FlatValue)>;

fn text(s: &str) -> FlatValue {
    FlatValue::Text(s.to_owned())
}

fn input<'n>(node: &'n Node, suffix: Option<&str>) -> Option<&'n Input> {
    node.inputs.iter().find(|i| i.suffix.as_deref() == suffix)
}

fn default_text(i: Option<&Input>) -> Option<String> {
    match i?.default_value.as_ref()? {
        Value::Text(s) if !s.is_empty() => Some(s.clone()),
        Value::Integer(v) => Some(v.to_string()),
        Value::Decimal(v) => Some(v.to_string()),
        Value::Boolean(b) => Some(b.to_string()),
        Value::Text(_) => None,
    }
}

/// A text input's value: its default, else the first list entry, else `fallback`.
fn text_of(i: Option<&Input>, fallback: &str) -> String {
    default_text(i)
        .or_else(|| i.and_then(|i| i.list.first()).map(|v| v.value.clone()))
        .unwrap_or_else(|| fallback.to_owned())
}

/// The list entry the example picks: the default value when it is listed, else the first.
pub(super) fn pick(i: &Input) -> Option<&CodedValue> {
    let default = default_text(Some(i));
    default.and_then(|d| i.list.iter().find(|v| v.value == d)).or_else(|| i.list.first())
}

pub(super) fn label(v: &CodedValue, language: &str) -> String {
    v.localized_labels
        .get(language)
        .filter(|l| !l.is_empty())
        .or(v.label.as_ref())
        .cloned()
        .unwrap_or_else(|| v.value.clone())
}

pub(super) fn value_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Decimal(d) => Some(*d),
        Value::Text(s) => s.parse().ok(),
        Value::Boolean(_) => None,
    }
}

/// True when `v` lies inside `range`.
pub(super) fn in_range(v: f64, range: &Range) -> bool {
    let lower = range.min.as_ref().and_then(value_f64).is_none_or(|m| match range.min_op.as_deref() {
        Some(">") => v > m,
        _ => v >= m,
    });
    let upper = range.max.as_ref().and_then(value_f64).is_none_or(|m| match range.max_op.as_deref() {
        Some("<") => v < m,
        _ => v <= m,
    });
    lower && upper
}

fn round(v: f64, decimals: Option<u32>) -> f64 {
    match decimals {
        Some(d) => {
            let f = 10f64.powi(i32::try_from(d.min(12)).unwrap_or(12));
            (v * f).round() / f
        }
        None => v,
    }
}

/// A number inside `range` with at most `decimals` decimals: `preferred` when it fits, else the
/// middle of a closed range, else a bound or one step inside it.
pub(super) fn number(range: Option<&Range>, decimals: Option<u32>, preferred: f64) -> f64 {
    let Some(r) = range else { return round(preferred, decimals) };
    let fits = |v: f64| in_range(v, r);
    let preferred = round(preferred, decimals);
    if fits(preferred) {
        return preferred;
    }
    let step = decimals.map_or(1.0, |d| 10f64.powi(-i32::try_from(d.min(12)).unwrap_or(12)));
    let lo = r.min.as_ref().and_then(value_f64);
    let hi = r.max.as_ref().and_then(value_f64);
    let mut candidates = Vec::new();
    if let (Some(l), Some(h)) = (lo, hi) {
        candidates.push(round(l + (h - l) / 2.0, decimals));
        candidates.push(round(l + (h - l) / 2.0, Some(0)));
    }
    if let Some(l) = lo {
        candidates.extend([round(l, decimals), round(l + step, decimals), l]);
    }
    if let Some(h) = hi {
        candidates.extend([round(h, decimals), round(h - step, decimals), h]);
    }
    candidates.into_iter().find(|v| fits(*v) && v.is_finite()).unwrap_or(preferred)
}

/// Decimals a precision range allows: its upper bound, `None` when unconstrained (`-1`).
fn decimals(precision: Option<&Range>) -> Option<u32> {
    let p = precision?;
    let bound = p.max.as_ref().or(p.min.as_ref()).and_then(value_f64)?;
    if bound < 0.0 { None } else { Some(bound as u32) }
}

fn integer(v: f64) -> FlatValue {
    if v.is_finite() && v.abs() < 9.0e15 { FlatValue::Integer(v as i64) } else { FlatValue::Integer(0) }
}

fn decimal(v: f64) -> FlatValue {
    FlatValue::Decimal(if v.is_finite() { v } else { 0.0 })
}

/// The example fields of a leaf node, or none for an RM type the example leaves to the CDR.
pub(super) fn leaf(node: &Node, ctx: &LeafCtx<'_>) -> Fields {
    let path = node.aql_path.as_str();
    match node.rm_type.as_str() {
        "DV_TEXT" => vec![("", FlatValue::Text(text_of(input(node, None), TEXT)))],
        "STRING" => {
            let fallback = if node.id == "action_archetype_id" { "openEHR-EHR-ACTION.example.v1" } else { TEXT };
            vec![("", FlatValue::Text(text_of(node.inputs.first(), fallback)))]
        }
        "DV_CODED_TEXT" | "DV_STATE" => coded_text(node, ctx, path),
        "DV_ORDINAL" | "DV_SCALE" => {
            let Some(v) = node.inputs.first().and_then(pick) else {
                // An unconstrained ordinal: any local symbol with any ordinal.
                return vec![("code", text("at0000")), ("value", text(TEXT)), ("ordinal", FlatValue::Integer(1))];
            };
            let mut out = vec![("code", text(&v.value)), ("value", FlatValue::Text(label(v, ctx.language)))];
            if let Some(o) = v.ordinal {
                out.push(("ordinal", FlatValue::Integer(o)));
            }
            out
        }
        "DV_QUANTITY" => quantity(node),
        "DV_COUNT" => vec![("", count(node.inputs.first()))],
        "DV_BOOLEAN" => {
            let i = node.inputs.first();
            let listed = i.and_then(|i| i.list.first()).map(|v| v.value == "true");
            let default = i.and_then(|i| match i.default_value {
                Some(Value::Boolean(b)) => Some(b),
                _ => None,
            });
            vec![("", FlatValue::Boolean(listed.or(default).unwrap_or(true)))]
        }
        "DV_DATE_TIME" | "DV_DATE" | "DV_TIME" => vec![("", FlatValue::Text(temporal(node)))],
        "DV_DURATION" => vec![("", FlatValue::Text(duration(node)))],
        "DV_PROPORTION" => proportion(node, ctx.output),
        "DV_IDENTIFIER" => {
            let mut out = vec![("id", FlatValue::Text(text_of(input(node, Some("id")), "ID-0001")))];
            for (suffix, fallback) in
                [("issuer", "Example issuer"), ("assigner", "Example assigner"), ("type", "LOCALID")]
            {
                if let Some(i) = input(node, Some(suffix)) {
                    out.push((suffix, FlatValue::Text(text_of(Some(i), fallback))));
                }
            }
            out
        }
        "DV_URI" => vec![("", FlatValue::Text(text_of(node.inputs.first(), "https://example.org/lorem")))],
        "DV_EHR_URI" => vec![("", FlatValue::Text(text_of(node.inputs.first(), "ehr://example/lorem")))],
        "DV_MULTIMEDIA" => vec![
            ("", FlatValue::Text(text_of(node.inputs.first(), "https://example.org/image.png"))),
            ("mediatype", text("image/png")),
            ("size", FlatValue::Integer(1024)),
        ],
        "DV_PARSABLE" => {
            let (value, formalism) = if node.id == "timing" { ("P1D", "ISO8601") } else { (TEXT, "text/plain") };
            let v = text_of(input(node, Some("value")).or_else(|| input(node, None)), value);
            vec![
                ("", FlatValue::Text(v)),
                ("formalism", FlatValue::Text(text_of(input(node, Some("formalism")), formalism))),
            ]
        }
        "CODE_PHRASE" => code_phrase(node, ctx),
        "PARTY_PROXY" | "PARTY_IDENTIFIED" => {
            // The subject is PARTY_SELF, which FLAT writes as nothing at all.
            if node.id == "subject" {
                return Vec::new();
            }
            let fallback = if node.id == "composer" { COMPOSER } else { TEXT };
            let mut out = vec![("name", FlatValue::Text(text_of(input(node, Some("name")), fallback)))];
            if ctx.complete {
                for (suffix, fallback) in [("id", "199"), ("id_scheme", "HOSPITAL-NS"), ("id_namespace", "HOSPITAL-NS")]
                {
                    out.push((suffix, FlatValue::Text(text_of(input(node, Some(suffix)), fallback))));
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

fn code_phrase(node: &Node, ctx: &LeafCtx<'_>) -> Fields {
    match node.id.as_str() {
        "language" => vec![("code", text(ctx.language)), ("terminology", text("ISO_639-1"))],
        "territory" => vec![("code", text(TERRITORY)), ("terminology", text("ISO_3166-1"))],
        "encoding" => vec![("code", text("UTF-8")), ("terminology", text("IANA_character-sets"))],
        _ => {
            let Some(i) = node.inputs.first() else { return Vec::new() };
            let code = pick(i).map(|v| v.value.clone()).unwrap_or_else(|| text_of(Some(i), "42"));
            vec![("code", FlatValue::Text(code)), ("terminology", text(i.terminology.as_deref().unwrap_or("local")))]
        }
    }
}

/// Codes of the openEHR terminology for context attributes the builder leaves without a list.
fn openehr_code(path: &str) -> Option<(&'static str, &'static str)> {
    if path.ends_with("/context/setting") {
        Some(("238", "other care"))
    } else if path.ends_with("/math_function") {
        Some(("146", "mean"))
    } else {
        None
    }
}

fn coded_text(node: &Node, ctx: &LeafCtx<'_>, path: &str) -> Fields {
    let code = input(node, Some("code"));
    if let Some(i) = code.filter(|i| !i.list.is_empty()) {
        let preferred = ctx.ism_state.filter(|_| path.ends_with("/ism_transition/current_state"));
        let chosen = preferred.and_then(|s| i.list.iter().find(|v| v.value == s)).or_else(|| pick(i));
        let Some(v) = chosen else { return Vec::new() };
        // ISM states are openEHR codes even where the builder's input names no terminology.
        let fallback = if path.ends_with("/ism_transition/current_state") { "openehr" } else { "local" };
        let terminology = i.terminology.clone().unwrap_or_else(|| fallback.to_owned());
        return vec![
            ("code", text(&v.value)),
            ("value", FlatValue::Text(label(v, ctx.language))),
            ("terminology", FlatValue::Text(terminology)),
        ];
    }
    if let Some((c, v)) = openehr_code(path) {
        return vec![("code", text(c)), ("value", text(v)), ("terminology", text("openehr"))];
    }
    let terminology = code.and_then(|i| i.terminology.clone()).unwrap_or_else(|| "external".to_owned());
    vec![
        ("code", FlatValue::Text(text_of(code, "42"))),
        ("value", FlatValue::Text(text_of(input(node, Some("value")), TEXT))),
        ("terminology", FlatValue::Text(terminology)),
    ]
}

fn quantity(node: &Node) -> Fields {
    let magnitude = input(node, Some("magnitude"));
    let unit_input = input(node, Some("unit"));
    let unit = unit_input.and_then(pick);
    let unit_text = match unit {
        Some(u) => u.value.clone(),
        None => text_of(unit_input, "1"),
    };
    // A listed unit carries its own range and precision; a single unit also copies them up.
    let validation = unit.and_then(|u| u.validation.as_ref()).or_else(|| magnitude.and_then(|m| m.validation.as_ref()));
    let range = validation.and_then(|v| v.range.as_ref());
    let places = validation.and_then(|v| v.precision.as_ref()).map_or(Some(1), |p| decimals(Some(p)));
    let preferred = magnitude.and_then(|m| m.default_value.as_ref()).and_then(value_f64).unwrap_or(10.0);
    let v = number(range, places.or(Some(1)), preferred);
    vec![("magnitude", decimal(v)), ("unit", FlatValue::Text(unit_text))]
}

fn count(i: Option<&Input>) -> FlatValue {
    let Some(i) = i else { return FlatValue::Integer(1) };
    if let Some(Value::Integer(d)) = i.default_value {
        return FlatValue::Integer(d);
    }
    if let Some(v) = i.list.first().and_then(|v| v.value.parse::<i64>().ok()) {
        return FlatValue::Integer(v);
    }
    integer(number(i.validation.as_ref().and_then(|v| v.range.as_ref()), Some(0), 1.0))
}

/// The fixed date, time or date-time cut to what the input's pattern allows (`XX` forbids a
/// component), or the range's inclusive bound when the range does not hold the fixed instant.
fn temporal(node: &Node) -> String {
    let i = node.inputs.first();
    if let Some(d) = default_text(i) {
        return d;
    }
    let validation = i.and_then(|i| i.validation.as_ref());
    let pattern = validation.and_then(|v| v.pattern.as_deref()).unwrap_or("").to_ascii_uppercase();
    let full = match node.rm_type.as_str() {
        "DV_DATE" => DATE.to_owned(),
        "DV_TIME" => TIME.to_owned(),
        _ => DATE_TIME.to_owned(),
    };
    let value = if pattern.is_empty() { full } else { cut(&node.rm_type, &pattern) };
    if let Some(r) = validation.and_then(|v| v.range.as_ref()) {
        let bound = |v: &Option<Value>| match v {
            Some(Value::Text(s)) => Some(s.clone()),
            _ => None,
        };
        let lower_ok = bound(&r.min).is_none_or(|m| value.as_str() >= m.as_str());
        let upper_ok = bound(&r.max).is_none_or(|m| value.as_str() <= m.as_str());
        if !(lower_ok && upper_ok) {
            if r.min_op.as_deref() == Some(">=")
                && let Some(m) = bound(&r.min)
            {
                return m;
            }
            if r.max_op.as_deref() == Some("<=")
                && let Some(m) = bound(&r.max)
            {
                return m;
            }
        }
    }
    value
}

fn cut(rm_type: &str, pattern: &str) -> String {
    let (date_pattern, time_pattern) = match rm_type {
        "DV_TIME" => ("", pattern),
        "DV_DATE" => (pattern, ""),
        _ => pattern.split_once('T').unwrap_or((pattern, "")),
    };
    let allowed = |p: &str, n: usize, sep: char| p.split(sep).nth(n).is_some_and(|c| !c.contains('X'));
    let date = || {
        let mut d = "2022".to_owned();
        if allowed(date_pattern, 1, '-') {
            d.push_str("-02");
            if allowed(date_pattern, 2, '-') {
                d.push_str("-03");
            }
        }
        d
    };
    let time = || {
        let mut t = "04".to_owned();
        if allowed(time_pattern, 1, ':') {
            t.push_str(":05");
            if allowed(time_pattern, 2, ':') {
                t.push_str(":06");
            }
        }
        t
    };
    match rm_type {
        "DV_DATE" => date(),
        "DV_TIME" => time(),
        _ => {
            let d = date();
            // A date-time without day cannot carry a time.
            if d.len() < DATE.len() || time_pattern.is_empty() { d } else { format!("{d}T{}Z", time()) }
        }
    }
}

/// An ISO 8601 duration with one allowed field set inside its range (`PT1H`, `P2D`, ...).
fn duration(node: &Node) -> String {
    const FIELDS: &[(&str, char, bool)] = &[
        ("year", 'Y', false),
        ("month", 'M', false),
        ("week", 'W', false),
        ("day", 'D', false),
        ("hour", 'H', true),
        ("minute", 'M', true),
        ("second", 'S', true),
    ];
    if let Some(d) = node.inputs.iter().find_map(|i| match &i.default_value {
        Some(Value::Text(s)) if s.starts_with('P') => Some(s.clone()),
        _ => None,
    }) {
        return d;
    }
    let defaults: Vec<(&str, i64)> = node
        .inputs
        .iter()
        .filter_map(|i| match (&i.suffix, &i.default_value) {
            (Some(s), Some(Value::Integer(v))) if *v != 0 => Some((s.as_str(), *v)),
            _ => None,
        })
        .collect();
    let mut parts: Vec<(char, bool, i64)> = Vec::new();
    if defaults.is_empty() {
        // The fields' minimums when any is positive, else 1 in the first field that admits it.
        let fields: Vec<(char, bool, Option<&Range>)> = FIELDS
            .iter()
            .filter_map(|(name, letter, is_time)| {
                let i = input(node, Some(name))?;
                Some((*letter, *is_time, i.validation.as_ref().and_then(|v| v.range.as_ref())))
            })
            .collect();
        let min = |r: Option<&Range>| r.and_then(|r| r.min.as_ref()).and_then(value_f64).unwrap_or(0.0);
        if fields.iter().any(|(_, _, r)| min(*r) >= 1.0) {
            parts.extend(fields.iter().filter(|(_, _, r)| min(*r) >= 1.0).map(|(l, t, r)| (*l, *t, min(*r) as i64)));
        } else if let Some((l, t, v)) =
            fields.iter().map(|(l, t, r)| (*l, *t, number(*r, Some(0), 1.0))).find(|(_, _, v)| *v >= 1.0)
        {
            parts.push((l, t, v as i64));
        }
    } else {
        for (name, letter, is_time) in FIELDS {
            if let Some((_, v)) = defaults.iter().find(|(n, _)| n == name) {
                parts.push((*letter, *is_time, *v));
            }
        }
    }
    if parts.is_empty() {
        return "PT0S".to_owned();
    }
    let mut out = "P".to_owned();
    let mut in_time = false;
    for (letter, is_time, v) in parts {
        if is_time && !in_time {
            out.push('T');
            in_time = true;
        }
        out.push_str(&v.to_string());
        out.push(letter);
    }
    out
}

/// `numerator`, `denominator` and `type` for the first allowed proportion kind.
fn proportion(node: &Node, output: bool) -> Fields {
    const KINDS: &[&str] = &["ratio", "unitary", "percent", "fraction", "integer_fraction"];
    let kind = node.proportion_types.first().map_or("ratio", String::as_str);
    let kind_index = KINDS.iter().position(|k| *k == kind).unwrap_or(0);
    let integral = kind_index >= 3
        || node.inputs.iter().any(|i| i.suffix.as_deref() == Some("numerator") && i.input_type == "INTEGER");
    let places = if integral { Some(0) } else { Some(2) };
    let part = |suffix: &str, preferred: f64| {
        let i = input(node, Some(suffix));
        let listed = i.and_then(|i| {
            let wanted = match kind_index {
                1 => "1",
                2 => "100",
                _ => "",
            };
            i.list.iter().find(|v| v.value == wanted).or_else(|| i.list.first())
        });
        let range = listed
            .and_then(|v| v.validation.as_ref())
            .or_else(|| i.and_then(|i| i.validation.as_ref()))
            .and_then(|v| v.range.as_ref());
        let preferred = i.and_then(|i| i.default_value.as_ref()).and_then(value_f64).unwrap_or(preferred);
        number(range, places, preferred)
    };
    let denominator = match kind_index {
        1 => 1.0,
        2 => 100.0,
        _ => part("denominator", 2.0),
    };
    let numerator = part("numerator", 1.0);
    let as_value = |v: f64| if integral { integer(v) } else { decimal(v) };
    let mut out = vec![
        ("numerator", as_value(numerator)),
        ("denominator", as_value(denominator)),
        ("type", FlatValue::Integer(i64::try_from(kind_index).unwrap_or(0))),
    ];
    if output && denominator != 0.0 {
        out.push(("", decimal(numerator / denominator)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(min: f64, max: f64) -> Range {
        Range {
            min_op: Some(">=".into()),
            min: Some(Value::Decimal(min)),
            max_op: Some("<".into()),
            max: Some(Value::Decimal(max)),
        }
    }

    #[test]
    fn numbers_stay_in_range() {
        assert_eq!(number(Some(&range(0.0, 1000.0)), Some(1), 10.0), 10.0);
        assert_eq!(number(Some(&range(30.0, 45.0)), Some(1), 10.0), 37.5);
        assert_eq!(number(Some(&range(0.0, 0.5)), Some(0), 10.0), 0.0);
    }

    #[test]
    fn temporal_patterns_cut() {
        assert_eq!(cut("DV_DATE_TIME", "YYYY-MM-DDTHH:MM:XX"), "2022-02-03T04:05Z");
        assert_eq!(cut("DV_DATE", "YYYY-MM-XX"), "2022-02");
        assert_eq!(cut("DV_DATE_TIME", "YYYY-??-??T??:??:??"), "2022-02-03T04:05:06Z");
        assert_eq!(cut("DV_TIME", "HH:MM:SS"), "04:05:06");
    }
}
