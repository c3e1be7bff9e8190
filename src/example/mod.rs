//! Example compositions built from a web template: every value meets its input's constraints, so
//! a client can post the example as is, or read it to learn the template's paths.
//!
//! Formats: FLAT (`application/openehr.wt.flat+json`), STRUCTURED
//! (`application/openehr.wt.structured+json`), canonical RM JSON (`application/json`) and
//! canonical RM XML (`application/xml`), all written without a JSON or XML writer dependency.
//! The output is deterministic: no clock and no randomness, dates are fixed example dates.
//!
//! ```
//! use openehr_definitions::example::{ExampleOptions, example_flat};
//! let opt = std::fs::read("tests/fixtures/opt14/valid/ehrbase_integration_test__opt__minimal_action.opt").unwrap();
//! let wt = openehr_definitions::web_template::web_template(&opt, &Default::default()).unwrap();
//! let flat = example_flat(&wt, &ExampleOptions::default());
//! assert_eq!(flat.get("ctx/language").and_then(|v| v.as_str()), Some("en"));
//! assert!(flat.to_json().starts_with('{'));
//! ```

mod canonical;
mod flat;
mod json;
mod structured;
mod values;
mod xml;

use crate::web_template::WebTemplate;

pub use structured::to_structured;

/// Who the example is for. EHRbase and Better fill the RM context a FLAT client leaves out from
/// `ctx/...` keys, so an input example is what a client posts and an output example what a CDR
/// returns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify))]
pub enum ExampleKind {
    /// `ctx/language`, `ctx/territory`, `ctx/composer_name` and `ctx/time`, and none of the nodes
    /// these keys or the CDR's defaults fill: language, encoding, territory, composer, subject
    /// (PARTY_SELF), the start time and event times.
    #[default]
    Input,
    /// No `ctx/` keys; every RM attribute of the composition written out, with the `_uid` the
    /// repository assigns, as the composition reads when retrieved.
    Output,
}

/// How much of the template an example fills.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify))]
pub enum DetailLevel {
    /// Only mandatory nodes (`min >= 1`) under mandatory parents: the smallest committable
    /// composition. The default of the Definitions API's `detail_level`.
    #[default]
    Required,
    /// Mandatory nodes plus every optional node the template names (it has a `nodeId`) and the
    /// careflow steps it defines, one alternative per choice; optional RM attributes the template
    /// leaves unconstrained are left out.
    Medium,
    /// Every node once; the alternatives of a repeatable choice element each at their own index
    /// (so not necessarily committable, as the Definitions API allows for `complete`). Left out
    /// still: the ISM `transition` and an ACTION's instruction reference, which an example cannot
    /// make consistent with a real state machine or instruction.
    Complete,
}

/// What to build. The default, as in the Definitions API, is an input example at the required
/// level, in the web template's default language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify))]
pub struct ExampleOptions {
    #[cfg_attr(feature = "wasm-types", tsify(optional))]
    pub kind: ExampleKind,
    #[cfg_attr(feature = "wasm-types", tsify(optional))]
    pub detail: DetailLevel,
    /// Language of labels and of `language` codes; the web template's default language if unset.
    #[cfg_attr(feature = "wasm-types", tsify(optional))]
    pub language: Option<String>,
}

/// The representations of an example, by the media types the Definitions API negotiates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify))]
pub enum ExampleFormat {
    /// `application/openehr.wt.flat+json`
    Flat,
    /// `application/openehr.wt.structured+json`
    Structured,
    /// `application/json`: canonical RM JSON.
    Canonical,
    /// `application/xml`: canonical RM XML.
    Xml,
}

impl ExampleKind {
    /// `input` or `output`, in any case (the Definitions API's `type`, Ehrscape's `exampleFilter`).
    pub fn from_name(name: &str) -> Option<ExampleKind> {
        [ExampleKind::Input, ExampleKind::Output].into_iter().find(|k| k.name().eq_ignore_ascii_case(name))
    }

    pub const fn name(self) -> &'static str {
        match self {
            ExampleKind::Input => "input",
            ExampleKind::Output => "output",
        }
    }
}

impl DetailLevel {
    /// `required`, `medium` or `complete`, in any case (the Definitions API's `detail_level`).
    pub fn from_name(name: &str) -> Option<DetailLevel> {
        [DetailLevel::Required, DetailLevel::Medium, DetailLevel::Complete]
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(name))
    }

    pub const fn name(self) -> &'static str {
        match self {
            DetailLevel::Required => "required",
            DetailLevel::Medium => "medium",
            DetailLevel::Complete => "complete",
        }
    }
}

impl ExampleFormat {
    /// The names clients use instead of a media type, in any case: `FLAT`, `STRUCTURED`,
    /// `JSON` (or `canonical`) and `XML` (EHRbase's and Ehrscape's `format` parameter).
    pub fn from_name(name: &str) -> Option<ExampleFormat> {
        match name.to_ascii_lowercase().as_str() {
            "flat" => Some(ExampleFormat::Flat),
            "structured" => Some(ExampleFormat::Structured),
            "json" | "canonical" => Some(ExampleFormat::Canonical),
            "xml" => Some(ExampleFormat::Xml),
            _ => None,
        }
    }

    pub const ALL: [ExampleFormat; 4] =
        [ExampleFormat::Flat, ExampleFormat::Structured, ExampleFormat::Canonical, ExampleFormat::Xml];

    pub fn media_type(self) -> &'static str {
        match self {
            ExampleFormat::Flat => "application/openehr.wt.flat+json",
            ExampleFormat::Structured => "application/openehr.wt.structured+json",
            ExampleFormat::Canonical => "application/json",
            ExampleFormat::Xml => "application/xml",
        }
    }

    /// The format of a media type (parameters such as `; charset=utf-8` ignored).
    pub fn from_media_type(media_type: &str) -> Option<ExampleFormat> {
        let essence = media_type.split(';').next().unwrap_or("").trim();
        ExampleFormat::ALL.into_iter().find(|f| f.media_type().eq_ignore_ascii_case(essence))
    }
}

/// The example in `format`, as the text a response body carries.
pub fn example(wt: &WebTemplate, format: ExampleFormat, options: &ExampleOptions) -> String {
    match format {
        ExampleFormat::Flat => example_flat(wt, options).to_json(),
        ExampleFormat::Structured => example_structured(wt, options).to_json(),
        ExampleFormat::Canonical => example_canonical(wt, options).to_json(),
        ExampleFormat::Xml => example_xml(wt, options),
    }
}

/// A FLAT value: the JSON scalars FLAT compositions hold.
#[derive(Debug, Clone, PartialEq)]
pub enum FlatValue {
    Text(String),
    Integer(i64),
    /// Always finite.
    Decimal(f64),
    Boolean(bool),
}

impl FlatValue {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            FlatValue::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The number as `f64` for integers and decimals.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            FlatValue::Integer(i) => Some(*i as f64),
            FlatValue::Decimal(d) => Some(*d),
            _ => None,
        }
    }
}

/// A FLAT composition: `path|suffix` keys in the order the template lists its nodes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlatComposition {
    pub entries: Vec<(String, FlatValue)>,
}

impl FlatComposition {
    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&FlatValue> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The composition as a pretty-printed JSON object (two-space indent, one key a line).
    pub fn to_json(&self) -> String {
        json::flat(&self.entries)
    }
}

/// An ordered JSON tree: a STRUCTURED composition (the FLAT paths nested, a JSON array for every
/// node below the root), or a canonical RM composition.
#[derive(Debug, Clone, PartialEq)]
pub enum Structured {
    Value(FlatValue),
    Object(Vec<(String, Structured)>),
    Array(Vec<Structured>),
}

impl Structured {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Structured> {
        match self {
            Structured::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The composition as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        json::structured(self)
    }
}

/// The FLAT example of a web template.
pub fn example_flat(wt: &WebTemplate, options: &ExampleOptions) -> FlatComposition {
    flat::build(wt, options)
}

/// The STRUCTURED example of a web template: the FLAT example nested.
pub fn example_structured(wt: &WebTemplate, options: &ExampleOptions) -> Structured {
    to_structured(&example_flat(wt, options))
}

/// The canonical RM JSON (`_type`) of the example: the output example at the requested detail,
/// with the RM objects the web template folds away restored (see `canonical.rs` for the limits).
pub fn example_canonical(wt: &WebTemplate, options: &ExampleOptions) -> Structured {
    let output = ExampleOptions { kind: ExampleKind::Output, ..options.clone() };
    let language = options.language.clone().unwrap_or_else(|| wt.default_language.clone());
    canonical::build(wt, &flat::build(wt, &output), &language)
}

/// The canonical RM XML (`application/xml`) of the example: the canonical tree as an XML
/// document in the openEHR namespace, members in the schema's order.
pub fn example_xml(wt: &WebTemplate, options: &ExampleOptions) -> String {
    xml::composition(&example_canonical(wt, options))
}

#[cfg(feature = "serde")]
mod serde_impls {
    use super::{FlatComposition, FlatValue, Structured};
    use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

    impl Serialize for FlatValue {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                FlatValue::Text(t) => s.serialize_str(t),
                FlatValue::Integer(i) => s.serialize_i64(*i),
                FlatValue::Decimal(d) => s.serialize_f64(*d),
                FlatValue::Boolean(b) => s.serialize_bool(*b),
            }
        }
    }

    impl Serialize for FlatComposition {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(Some(self.entries.len()))?;
            for (k, v) in &self.entries {
                map.serialize_entry(k, v)?;
            }
            map.end()
        }
    }

    impl Serialize for Structured {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                Structured::Value(v) => v.serialize(s),
                Structured::Object(members) => {
                    let mut map = s.serialize_map(Some(members.len()))?;
                    for (k, v) in members {
                        map.serialize_entry(k, v)?;
                    }
                    map.end()
                }
                Structured::Array(items) => {
                    let mut seq = s.serialize_seq(Some(items.len()))?;
                    for v in items {
                        seq.serialize_element(v)?;
                    }
                    seq.end()
                }
            }
        }
    }
}
