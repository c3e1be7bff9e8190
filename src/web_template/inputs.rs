//! Inputs of leaf nodes, per data value type, as the reference builds them.

use super::build::BNode;
use super::paths::PathIndex;
use super::terminology;
use super::{CodedValue, Input, Range, Validation, Value};
use crate::template::{CObject, DefaultValue, Interval, Kind, Primitive, Template};

/// What input building needs besides the node: the template and the languages.
pub(super) struct Ctx<'t> {
    pub(super) template: &'t Template,
    pub(super) default_language: String,
    pub(super) languages: Vec<String>,
    pub(super) annotations: PathIndex<&'t crate::template::Annotation>,
    pub(super) view: PathIndex<&'t crate::template::Annotation>,
    pub(super) defaults: PathIndex<&'t DefaultValue>,
}

impl Ctx<'_> {
    /// The text of `code` in `language`. OPT 1.4 term tables hold the template's language only.
    pub(super) fn text(&self, obj: &CObject, language: &str, code: &str) -> Option<String> {
        if code.is_empty() {
            return None;
        }
        self.template.term_item(obj.archetype, language, code, "text").map(str::to_owned)
    }

    pub(super) fn description(&self, obj: &CObject, language: &str, code: &str) -> Option<String> {
        if code.is_empty() {
            return None;
        }
        self.template.term_item(obj.archetype, language, code, "description").map(str::to_owned)
    }

    /// A list entry for a code: its label and per-language labels and descriptions.
    pub(super) fn coded_value(&self, terminology: &str, code: &str, obj: &CObject) -> CodedValue {
        let key = if terminology == "local" { code.to_owned() } else { format!("{terminology}::{code}") };
        let mut v = CodedValue { value: code.to_owned(), ..CodedValue::default() };
        if terminology == "openehr" {
            v.label = terminology::rubric(code).map(str::to_owned);
            for lang in &self.languages {
                let label = if lang == "en" { terminology::rubric(code) } else { None };
                v.localized_labels.insert(lang.clone(), label.unwrap_or_default().to_owned());
            }
            return v;
        }
        let term_text = |lang: &str| self.text(obj, lang, &key);
        v.label = term_text(&self.default_language).or_else(|| term_text(&self.template.language));
        for lang in &self.languages {
            if let Some(d) = self.description(obj, lang, &key) {
                v.localized_descriptions.insert(lang.clone(), d);
            }
            v.localized_labels.insert(lang.clone(), term_text(lang).unwrap_or_default());
        }
        for b in self.template.bindings(obj.archetype, code) {
            if b.code_string.trim().is_empty() {
                continue;
            }
            let id = if b.terminology_id.is_empty() { b.terminology.clone() } else { b.terminology_id.clone() };
            v.term_bindings
                .insert(b.terminology.clone(), super::TermBinding { value: b.code_string.clone(), terminology_id: id });
        }
        v
    }

    /// The `constraints` default value for a data value node.
    fn default_for(&self, b: &BNode) -> Option<&DefaultValue> {
        self.defaults.find(&b.node.aql_path).next().copied()
    }
}

fn input(suffix: Option<&str>, input_type: &str) -> Input {
    Input { suffix: suffix.map(str::to_owned), input_type: input_type.to_owned(), ..Input::default() }
}

fn text(s: &str) -> Option<Value> {
    Some(Value::Text(s.to_owned()))
}

/// The single primitive constraint under `obj.attribute`.
fn primitive<'o>(obj: Option<&'o CObject>, attribute: &str) -> Option<&'o Primitive> {
    let child = obj?.attribute(attribute)?.children.first()?;
    match &child.kind {
        Kind::Primitive(p) => Some(p),
        _ => None,
    }
}

fn code_phrases(obj: &CObject) -> Vec<&CObject> {
    if matches!(obj.kind, Kind::CodePhrase { .. } | Kind::CodeReference { .. }) {
        return vec![obj];
    }
    obj.attribute("defining_code")
        .map(|a| {
            a.children
                .iter()
                .filter(|c| matches!(c.kind, Kind::CodePhrase { .. } | Kind::CodeReference { .. }))
                .collect()
        })
        .unwrap_or_default()
}

/// Inputs for a node built from a constraint object.
pub(super) fn add(ctx: &Ctx<'_>, b: &mut BNode, obj: &CObject, _parent: Option<&CObject>) {
    let default = ctx.default_for(b).cloned();
    let rm = b.node.rm_type.clone();
    let inputs = by_type(ctx, &rm, Some(obj), default.as_ref(), b);
    b.node.inputs.extend(inputs);
}

/// Inputs for a node the builder made up (RM context attributes, choice values).
pub(super) fn add_synthetic(ctx: &Ctx<'_>, b: &mut BNode) {
    let rm = b.node.rm_type.clone();
    let inputs = by_type(ctx, &rm, None, None, b);
    b.node.inputs.extend(inputs);
}

fn by_type(
    ctx: &Ctx<'_>,
    rm: &str,
    obj: Option<&CObject>,
    default: Option<&DefaultValue>,
    b: &mut BNode,
) -> Vec<Input> {
    match rm {
        "DV_TEXT" | "DV_MULTIMEDIA" | "DV_URI" | "DV_EHR_URI" | "STRING" => {
            let mut i = string_input(primitive(obj, "value"), None);
            if let Some(d) = default.and_then(|d| d.value.as_deref()) {
                i.default_value = text(d);
            }
            vec![i]
        }
        "DV_CODED_TEXT" | "DV_STATE" => coded_text(ctx, obj, default),
        "DV_ORDINAL" | "DV_SCALE" => {
            let mut i = input(None, "CODED_TEXT");
            if let Some(o) = obj
                && let Kind::Ordinal { items, assumed } = &o.kind
            {
                for item in items {
                    let mut v = ctx.coded_value(&item.terminology, &item.code, o);
                    v.ordinal = Some(item.value);
                    i.list.push(v);
                }
                i.default_value = assumed.as_deref().and_then(text);
            }
            vec![i]
        }
        "DV_QUANTITY" => quantity(ctx, obj, default),
        "DV_COUNT" => {
            let mut i = input(None, "INTEGER");
            if let Some(Primitive::Integer { range, list, assumed }) = primitive(obj, "magnitude") {
                i.validation =
                    range.as_ref().and_then(int_range).map(|r| Validation { range: Some(r), ..Validation::default() });
                i.list = list.iter().map(|v| plain(&v.to_string())).collect();
                i.default_value = assumed.map(Value::Integer);
            }
            if let Some(d) = default.and_then(|d| d.value.as_deref()).and_then(|v| v.parse().ok()) {
                i.default_value = Some(Value::Integer(d));
            }
            vec![i]
        }
        "DV_BOOLEAN" => {
            let mut i = input(None, "BOOLEAN");
            if let Some(Primitive::Boolean { true_valid, false_valid, assumed }) = primitive(obj, "value") {
                if *false_valid && !*true_valid {
                    i.list.push(plain("false"));
                } else if !*false_valid && *true_valid {
                    i.list.push(plain("true"));
                }
                i.default_value = assumed.map(Value::Boolean);
            }
            vec![i]
        }
        "DV_DATE_TIME" | "DV_DATE" | "DV_TIME" => {
            let ty = match rm {
                "DV_DATE_TIME" => "DATETIME",
                "DV_DATE" => "DATE",
                _ => "TIME",
            };
            let mut i = input(None, ty);
            if let Some(
                Primitive::DateTime { pattern, range, assumed }
                | Primitive::Date { pattern, range, assumed }
                | Primitive::Time { pattern, range, assumed },
            ) = primitive(obj, "value")
            {
                let range = range.as_ref().and_then(temporal_range);
                let pattern = pattern.clone().filter(|p| !p.trim().is_empty());
                if range.is_some() || pattern.is_some() {
                    i.validation = Some(Validation { pattern, range, precision: None });
                }
                i.default_value = assumed.as_deref().and_then(text);
            }
            if let Some(d) = default.and_then(|d| d.value.as_deref()) {
                i.default_value = text(d);
            }
            vec![i]
        }
        "DV_DURATION" => duration(primitive(obj, "value"), default),
        "DV_PROPORTION" => proportion(obj, default, b),
        "DV_IDENTIFIER" => {
            ["id", "type", "issuer", "assigner"].iter().map(|s| string_input(primitive(obj, s), Some(s))).collect()
        }
        "DV_PARSABLE" => ["value", "formalism"].iter().map(|s| string_input(primitive(obj, s), Some(s))).collect(),
        "PARTY_PROXY" | "PARTY_IDENTIFIED" => ["id", "id_scheme", "id_namespace", "name"]
            .iter()
            .map(|s| string_input(primitive(obj, s), Some(s)))
            .collect(),
        _ => Vec::new(),
    }
}

fn plain(v: &str) -> CodedValue {
    CodedValue { value: v.to_owned(), label: Some(v.to_owned()), ..CodedValue::default() }
}

fn string_input(c: Option<&Primitive>, suffix: Option<&str>) -> Input {
    let mut i = input(suffix, "TEXT");
    if let Some(Primitive::String { pattern, list, list_open, .. }) = c {
        if let Some(p) = pattern {
            i.validation = Some(Validation { pattern: Some(p.clone()), ..Validation::default() });
        }
        i.list = list.iter().map(|v| plain(v)).collect();
        i.list_open = Some(*list_open == Some(true));
    }
    i
}

fn coded_text(ctx: &Ctx<'_>, obj: Option<&CObject>, default: Option<&DefaultValue>) -> Vec<Input> {
    let mut inputs = Vec::new();
    let phrases = obj.map(code_phrases).unwrap_or_default();
    let external = |inputs: &mut Vec<Input>, terminology: Option<String>, assumed: Option<&str>| {
        let mut code = input(Some("code"), "TEXT");
        code.terminology = terminology.clone();
        code.default_value = default.and_then(|d| d.code_string.as_deref()).or(assumed).and_then(text);
        let mut value = input(Some("value"), "TEXT");
        value.terminology = terminology;
        value.default_value = default.and_then(|d| d.value.as_deref()).and_then(text);
        inputs.push(code);
        inputs.push(value);
    };
    match phrases.first() {
        Some(first) => match &first.kind {
            // Without a `referenceSetUri` the reference builds no inputs at all.
            Kind::CodeReference { reference_set_uri: Some(uri) } => {
                let uri = uri.strip_prefix("terminology:").unwrap_or(uri).to_owned();
                external(&mut inputs, Some(uri), None);
            }
            Kind::CodePhrase { terminology, codes, assumed } => {
                if codes.is_empty() {
                    external(&mut inputs, Some(terminology.clone()), assumed.as_deref());
                } else {
                    let mut i = input(Some("code"), "CODED_TEXT");
                    i.list = codes.iter().map(|c| ctx.coded_value(terminology, c, first)).collect();
                    i.default_value =
                        default.and_then(|d| d.code_string.as_deref()).or(assumed.as_deref()).and_then(text);
                    if !terminology.is_empty() && terminology != "local" {
                        i.terminology = Some(terminology.clone());
                    }
                    inputs.push(i);
                }
            }
            _ => {}
        },
        None => external(&mut inputs, None, None),
    }
    for other in phrases.iter().skip(1) {
        if let Kind::CodeReference { reference_set_uri: Some(uri) } = &other.kind {
            let uri = uri.strip_prefix("terminology:").unwrap_or(uri).to_owned();
            for i in &mut inputs {
                if !i.other_terminologies.contains(&uri) {
                    i.other_terminologies.push(uri.clone());
                }
            }
        }
    }
    if let Some(Primitive::String { list_open: Some(true), .. }) = primitive(obj, "value") {
        for i in &mut inputs {
            i.list_open = Some(true);
        }
    }
    inputs
}

fn quantity(ctx: &Ctx<'_>, obj: Option<&CObject>, default: Option<&DefaultValue>) -> Vec<Input> {
    let mut magnitude = input(Some("magnitude"), "DECIMAL");
    let mut unit;
    match obj.map(|o| &o.kind) {
        Some(Kind::Quantity { items, assumed_magnitude, assumed_units }) => {
            unit = input(Some("unit"), "CODED_TEXT");
            for item in items {
                let mut v = plain(&item.units);
                if let Some(o) = obj {
                    for lang in &ctx.languages {
                        if let Some(label) = ctx.text(o, lang, &item.units) {
                            v.localized_labels.insert(lang.clone(), label);
                        }
                    }
                }
                let precision = item.precision.as_ref().and_then(int_range);
                let range = item.magnitude.as_ref().and_then(decimal_range);
                if precision.is_some() || range.is_some() {
                    v.validation = Some(Validation { pattern: None, range, precision });
                }
                unit.list.push(v);
            }
            if unit.list.len() == 1 {
                magnitude.validation = unit.list[0].validation.clone();
            }
            magnitude.default_value = assumed_magnitude.map(Value::Decimal);
            unit.default_value = assumed_units.as_deref().and_then(text);
            if let Some(d) = default {
                if let Some(m) = d.value.as_deref().and_then(|v| v.parse().ok()) {
                    magnitude.default_value = Some(Value::Decimal(m));
                }
                if let Some(u) = d.units.as_deref() {
                    unit.default_value = text(u);
                }
            }
        }
        _ => unit = input(Some("unit"), "TEXT"),
    }
    vec![magnitude, unit]
}

const DURATION_FIELDS: &[(&str, char, bool)] = &[
    ("year", 'Y', false),
    ("month", 'M', false),
    ("day", 'D', false),
    ("week", 'W', false),
    ("hour", 'H', true),
    ("minute", 'M', true),
    ("second", 'S', true),
];

/// Duration fields allowed by an ADL duration pattern such as `PYMWD` or `PTHM`, in pattern order.
fn duration_fields(pattern: &str) -> Vec<&'static str> {
    let mut fields = Vec::new();
    let mut in_time = false;
    for ch in pattern.chars() {
        match ch {
            'T' | 't' => in_time = true,
            'P' | 'p' => {}
            c => {
                let upper = c.to_ascii_uppercase();
                if let Some((name, _, _)) = DURATION_FIELDS.iter().find(|(_, l, t)| *l == upper && *t == in_time) {
                    fields.push(*name);
                }
            }
        }
    }
    fields
}

/// Field values of an ISO 8601 duration (`P1Y2M3DT4H`), by field name.
fn duration_values(iso: &str) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    let mut in_time = false;
    let mut number = String::new();
    for ch in iso.chars() {
        match ch {
            'P' | 'p' | '-' => {}
            'T' | 't' => in_time = true,
            c if c.is_ascii_digit() || c == '.' => number.push(c),
            c => {
                let upper = c.to_ascii_uppercase();
                if let Some((name, _, _)) = DURATION_FIELDS.iter().find(|(_, l, t)| *l == upper && *t == in_time) {
                    let v = number.split('.').next().and_then(|n| n.parse().ok()).unwrap_or(0);
                    out.push((*name, v));
                }
                number.clear();
            }
        }
    }
    out
}

fn duration(c: Option<&Primitive>, default: Option<&DefaultValue>) -> Vec<Input> {
    let (fields, min, max, assumed) = match c {
        Some(Primitive::Duration { pattern, range, assumed }) => {
            let fields =
                pattern.as_deref().map_or_else(|| DURATION_FIELDS.iter().map(|f| f.0).collect(), duration_fields);
            let min = range.as_ref().and_then(|r| r.lower.as_deref()).map(duration_values).unwrap_or_default();
            let max = range.as_ref().and_then(|r| r.upper.as_deref()).map(duration_values).unwrap_or_default();
            (fields, min, max, assumed.clone())
        }
        _ => (DURATION_FIELDS.iter().map(|f| f.0).collect(), Vec::new(), Vec::new(), None),
    };
    let default = default.and_then(|d| d.value.clone()).or(assumed);
    let default_values = default.as_deref().map(duration_values);
    let get = |values: &[(&str, i64)], name: &str| values.iter().find(|(n, _)| *n == name).map_or(0, |(_, v)| *v);
    fields
        .into_iter()
        .map(|name| {
            let mut i = input(Some(name), "INTEGER");
            let field_min = get(&min, name);
            let field_max = get(&max, name);
            i.validation = Some(Validation {
                range: Some(Range {
                    min_op: Some(">=".to_owned()),
                    min: Some(Value::Integer(field_min)),
                    max_op: (field_max != 0).then(|| "<=".to_owned()),
                    max: (field_max != 0).then_some(Value::Integer(field_max)),
                }),
                ..Validation::default()
            });
            if let Some(values) = &default_values {
                i.default_value = Some(Value::Integer(get(values, name)));
            }
            i
        })
        .collect()
}

const PROPORTION_TYPES: &[&str] = &["ratio", "unitary", "percent", "fraction", "integer_fraction"];

fn proportion(obj: Option<&CObject>, default: Option<&DefaultValue>, b: &mut BNode) -> Vec<Input> {
    let types: Option<Vec<i64>> = match primitive(obj, "type") {
        Some(Primitive::Integer { list, .. }) => Some(list.clone()),
        _ => None,
    };
    let integral = match (primitive(obj, "is_integral"), primitive(obj, "precision")) {
        (Some(Primitive::Boolean { true_valid: true, false_valid: false, .. }), _) => true,
        (_, Some(Primitive::Integer { range: Some(r), .. })) if r.upper == Some(0) => true,
        _ => types.as_ref().is_some_and(|t| t.iter().all(|v| *v == 3 || *v == 4)),
    };
    b.node.proportion_types = match &types {
        None => PROPORTION_TYPES.iter().map(|s| (*s).to_owned()).collect(),
        Some(t) => PROPORTION_TYPES
            .iter()
            .enumerate()
            .filter(|(i, _)| t.contains(&i64::try_from(*i).unwrap_or(-1)))
            .map(|(_, s)| (*s).to_owned())
            .collect(),
    };
    let part = |suffix: &str| {
        let c = primitive(obj, suffix);
        let mut i = input(Some(suffix), if integral { "INTEGER" } else { "DECIMAL" });
        let value = default.and_then(|d| if suffix == "numerator" { d.numerator } else { d.denominator });
        i.default_value = value.map(|v| if integral { Value::Integer(v.round() as i64) } else { Value::Decimal(v) });
        if let Some(Primitive::Real { range: Some(r), .. }) = c {
            let range = if integral {
                int_range(&Interval {
                    lower: r.lower.map(|v| v.round() as i64),
                    upper: r.upper.map(|v| v.round() as i64),
                    lower_included: true,
                    upper_included: true,
                })
            } else {
                decimal_range(r)
            };
            i.validation = range.map(|r| Validation { range: Some(r), ..Validation::default() });
        }
        i
    };
    let single = types.as_ref().is_some_and(|t| !t.is_empty() && t.iter().all(|v| *v == 1 || *v == 2));
    let numerator = part("numerator");
    if !single {
        return vec![numerator, part("denominator")];
    }
    let t = types.unwrap_or_default();
    let fixed = |v: i64| {
        Some(Validation {
            range: Some(if integral {
                Range {
                    min_op: Some(">=".to_owned()),
                    min: Some(Value::Integer(v)),
                    max_op: Some("<=".to_owned()),
                    max: Some(Value::Integer(v)),
                }
            } else {
                Range {
                    min_op: Some(">=".to_owned()),
                    min: Some(Value::Decimal(v as f64)),
                    max_op: Some("<=".to_owned()),
                    max: Some(Value::Decimal(v as f64)),
                }
            }),
            ..Validation::default()
        })
    };
    let mut denominator = input(Some("denominator"), if integral { "INTEGER" } else { "DECIMAL" });
    if t.len() == 2 {
        let mut one = plain("1");
        one.validation = fixed(1);
        let mut hundred = plain("100");
        hundred.validation = fixed(100);
        denominator.list = vec![one, hundred];
    } else if t.first() == Some(&1) {
        denominator.validation = fixed(1);
    } else {
        denominator.validation = fixed(100);
    }
    vec![numerator, denominator]
}

fn int_range(r: &Interval<i64>) -> Option<Range> {
    let min = r.lower.map(|l| if r.lower_included { l } else { l.saturating_add(1) });
    let max = r.upper.map(|u| if r.upper_included { u } else { u.saturating_sub(1) });
    if min.is_none() && max.is_none() {
        return None;
    }
    Some(Range {
        min_op: min.map(|_| ">=".to_owned()),
        min: min.map(Value::Integer),
        max_op: max.map(|_| "<=".to_owned()),
        max: max.map(Value::Integer),
    })
}

fn decimal_range(r: &Interval<f64>) -> Option<Range> {
    if r.lower.is_none() && r.upper.is_none() {
        return None;
    }
    Some(Range {
        min_op: r.lower.map(|_| if r.lower_included { ">=" } else { ">" }.to_owned()),
        min: r.lower.map(Value::Decimal),
        max_op: r.upper.map(|_| if r.upper_included { "<=" } else { "<" }.to_owned()),
        max: r.upper.map(Value::Decimal),
    })
}

fn temporal_range(r: &Interval<String>) -> Option<Range> {
    if r.lower.is_none() && r.upper.is_none() {
        return None;
    }
    Some(Range {
        min_op: r.lower.as_ref().map(|_| if r.lower_included { ">=" } else { ">" }.to_owned()),
        min: r.lower.clone().map(Value::Text),
        max_op: r.upper.as_ref().map(|_| if r.upper_included { "<=" } else { "<" }.to_owned()),
        max: r.upper.clone().map(Value::Text),
    })
}
