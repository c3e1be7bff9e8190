//! The typed definition of an operational template: constraint objects, attributes, terms,
//! bindings, annotations. Only what consumers of the definition read; no RM knowledge here.

use std::collections::HashMap;

/// An interval with optional bounds (absent bound = unbounded), as the OPT writes it.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Interval<T> {
    pub lower: Option<T>,
    pub upper: Option<T>,
    pub lower_included: bool,
    pub upper_included: bool,
}

impl<T: Clone> Interval<T> {
    pub fn exact(value: T) -> Self {
        Interval { lower: Some(value.clone()), upper: Some(value), lower_included: true, upper_included: true }
    }
}

/// A parsed operational template.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Template {
    pub template_id: String,
    pub concept: String,
    /// The template's own language (`language/code_string`).
    pub language: String,
    /// Other languages the template is written in: those of `description/details` and of the
    /// ontologies' `term_definitions`, in order of appearance.
    pub translations: Vec<String>,
    pub definition: CObject,
    /// Term tables of the archetype roots; [`CObject::archetype`] indexes into this.
    pub archetypes: Vec<ArchetypeTerms>,
    /// `annotations` by their `path` attribute.
    pub annotations: Vec<Annotation>,
    /// `view/constraints` by their `path` attribute.
    pub view: Vec<Annotation>,
    /// Default values from the `constraints` overlay, by `differential_path`.
    pub defaults: Vec<DefaultValue>,
    /// Term tables of `ontology` and `component_ontologies`: archetype id → language → code → term.
    /// Unlike the definition's tables they hold every language.
    pub ontologies: HashMap<String, HashMap<String, HashMap<String, Term>>>,
    /// `description/other_details` by id.
    pub other_details: Vec<(String, String)>,
}

/// Terms and term bindings of one archetype root.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ArchetypeTerms {
    pub archetype_id: String,
    /// Index of the enclosing root's table, for lookups that fall through.
    pub parent: Option<usize>,
    pub terms: HashMap<String, Term>,
    /// Bindings by code: (terminology, bound terminology id, bound code).
    pub bindings: HashMap<String, Vec<Binding>>,
}

#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Term {
    /// `items` by id: `text`, `description`, `comment`, ...
    pub items: Vec<(String, String)>,
}

impl Term {
    pub fn item(&self, id: &str) -> Option<&str> {
        self.items.iter().find(|(k, _)| k == id).map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Binding {
    /// The `terminology` attribute of `term_bindings`.
    pub terminology: String,
    pub terminology_id: String,
    pub code_string: String,
}

#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Annotation {
    pub path: String,
    pub items: Vec<(String, String)>,
}

/// A `default_value` of the `constraints` overlay.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DefaultValue {
    pub path: String,
    pub attribute: String,
    /// The DV type (`xsi:type`), e.g. `DV_CODED_TEXT`.
    pub rm_type: String,
    /// `value` (text types, dates), or the magnitude of quantities and counts.
    pub value: Option<String>,
    pub code_string: Option<String>,
    pub terminology: Option<String>,
    pub units: Option<String>,
    /// `numerator` and `denominator` of a DV_PROPORTION.
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
}

/// One constraint object (`C_COMPLEX_OBJECT`, `C_ARCHETYPE_ROOT`, a domain type or a primitive).
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CObject {
    pub rm_type: String,
    /// `None` when the element is absent (Better's exports omit it on some objects).
    pub node_id: Option<String>,
    pub occurrences: Interval<i64>,
    /// Index into [`Template::archetypes`] of the archetype root this object belongs to.
    pub archetype: usize,
    pub kind: Kind,
    pub attributes: Vec<CAttribute>,
}

impl CObject {
    pub fn attribute(&self, name: &str) -> Option<&CAttribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The node id, empty when absent.
    pub fn node_id(&self) -> &str {
        self.node_id.as_deref().unwrap_or("")
    }
}

/// What kind of constraint object, with the data of the kinds that carry their own.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Kind {
    #[default]
    Complex,
    ArchetypeRoot {
        archetype_id: String,
    },
    Slot,
    CodePhrase {
        terminology: String,
        codes: Vec<String>,
        assumed: Option<String>,
    },
    CodeReference {
        reference_set_uri: Option<String>,
    },
    Ordinal {
        items: Vec<OrdinalItem>,
        assumed: Option<String>,
    },
    Quantity {
        items: Vec<QuantityItem>,
        assumed_magnitude: Option<f64>,
        assumed_units: Option<String>,
    },
    Primitive(Primitive),
    /// Another domain type (`C_DV_STATE`, ...) or an unknown `xsi:type`.
    Other(String),
}

#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct OrdinalItem {
    pub value: i64,
    pub terminology: String,
    pub code: String,
}

#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct QuantityItem {
    pub units: String,
    pub magnitude: Option<Interval<f64>>,
    pub precision: Option<Interval<i64>>,
}

/// A `C_PRIMITIVE_OBJECT`'s `item`.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Primitive {
    String { pattern: Option<String>, list: Vec<String>, list_open: Option<bool>, assumed: Option<String> },
    Integer { range: Option<Interval<i64>>, list: Vec<i64>, assumed: Option<i64> },
    Real { range: Option<Interval<f64>>, list: Vec<f64>, assumed: Option<f64> },
    Boolean { true_valid: bool, false_valid: bool, assumed: Option<bool> },
    Date { pattern: Option<String>, range: Option<Interval<String>>, assumed: Option<String> },
    DateTime { pattern: Option<String>, range: Option<Interval<String>>, assumed: Option<String> },
    Time { pattern: Option<String>, range: Option<Interval<String>>, assumed: Option<String> },
    Duration { pattern: Option<String>, range: Option<Interval<String>>, assumed: Option<String> },
    Other,
}

/// A `C_SINGLE_ATTRIBUTE` or `C_MULTIPLE_ATTRIBUTE`.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CAttribute {
    pub name: String,
    pub existence: Interval<i64>,
    pub multiple: bool,
    pub cardinality: Option<Interval<i64>>,
    pub children: Vec<CObject>,
}

impl Template {
    /// The term `code` as seen from archetype table `archetype` (falling back to enclosing roots).
    pub fn term(&self, archetype: usize, code: &str) -> Option<&Term> {
        let mut at = Some(archetype);
        while let Some(index) = at {
            let table = self.archetypes.get(index)?;
            if let Some(term) = table.terms.get(code) {
                return Some(term);
            }
            at = table.parent;
        }
        None
    }

    /// Item `item` (`text`, `description`) of term `code` in `language`, as seen from archetype
    /// table `archetype`: the template's ontologies first, then (in the template's language) the
    /// definition's own term tables, walking out through enclosing roots.
    pub fn term_item(&self, archetype: usize, language: &str, code: &str, item: &str) -> Option<&str> {
        let mut at = Some(archetype);
        while let Some(index) = at {
            let table = self.archetypes.get(index)?;
            let from_ontology = self
                .ontologies
                .get(&table.archetype_id)
                .and_then(|langs| langs.get(language))
                .and_then(|terms| terms.get(code))
                .and_then(|t| t.item(item));
            if from_ontology.is_some() {
                return from_ontology;
            }
            if language == self.language
                && let Some(found) = table.terms.get(code).and_then(|t| t.item(item))
            {
                return Some(found);
            }
            at = table.parent;
        }
        None
    }

    /// Bindings of `code` in archetype table `archetype`, else in the nearest enclosing root that has some.
    pub fn bindings(&self, archetype: usize, code: &str) -> &[Binding] {
        let mut at = Some(archetype);
        while let Some(index) = at {
            let Some(table) = self.archetypes.get(index) else { break };
            if let Some(found) = table.bindings.get(code) {
                return found;
            }
            at = table.parent;
        }
        &[]
    }
}
