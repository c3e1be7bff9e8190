//! Reads the typed [`Template`] from the element tree.

use super::model::{
    Annotation, ArchetypeTerms, Binding, CAttribute, CObject, DefaultValue, Interval, Kind, OrdinalItem, Primitive,
    QuantityItem, Template, Term,
};
use super::xml::El;

pub(crate) fn template(root: &El) -> Template {
    let mut t = Template {
        template_id: root.text_at(&["template_id", "value"]).unwrap_or_default().to_owned(),
        concept: root.text_of("concept").unwrap_or_default().to_owned(),
        language: root.text_at(&["language", "code_string"]).unwrap_or_default().to_owned(),
        ..Template::default()
    };
    if let Some(description) = root.child("description") {
        for details in description.all("details") {
            if let Some(lang) = details.text_at(&["language", "code_string"])
                && lang != t.language
                && !t.translations.iter().any(|l| l == lang)
            {
                t.translations.push(lang.to_owned());
            }
        }
    }
    if let Some(description) = root.child("description") {
        for d in description.all("other_details") {
            t.other_details.push((d.attr("id").unwrap_or_default().to_owned(), d.text.trim().to_owned()));
        }
    }
    for ontology in root.children.iter().filter(|c| c.name == "ontology" || c.name == "component_ontologies") {
        let Some(archetype_id) = ontology.attr("archetype_id") else { continue };
        let langs = t.ontologies.entry(archetype_id.to_owned()).or_default();
        for defs in ontology.all("term_definitions") {
            let language = defs.attr("language").unwrap_or_default();
            if !language.is_empty() && language != t.language && !t.translations.iter().any(|l| l == language) {
                t.translations.push(language.to_owned());
            }
            let terms = langs.entry(language.to_owned()).or_default();
            for item in defs.all("items") {
                let Some(code) = item.attr("code") else { continue };
                let items = item
                    .all("items")
                    .map(|i| (i.attr("id").unwrap_or_default().to_owned(), i.text.to_string()))
                    .collect();
                terms.entry(code.to_owned()).or_insert(Term { items });
            }
        }
    }
    if let Some(definition) = root.child("definition") {
        t.definition = object(definition, None, &mut t.archetypes);
    }
    for a in root.all("annotations") {
        t.annotations.push(annotation(a));
    }
    if let Some(view) = root.child("view") {
        for c in view.all("constraints") {
            t.view.push(annotation(c));
        }
    }
    if let Some(constraints) = root.child("constraints") {
        for attribute in constraints.all("attributes") {
            let path = attribute.text_of("differential_path").unwrap_or_default();
            let name = attribute.text_of("rm_attribute_name").unwrap_or_default();
            for child in attribute.all("children") {
                if let Some(dv) = child.child("default_value") {
                    t.defaults.push(default_value(path, name, dv));
                }
            }
        }
    }
    t
}

fn annotation(el: &El) -> Annotation {
    let items = el
        .all("items")
        .map(|i| {
            let id = i.attr("id").unwrap_or_default().to_owned();
            // View constraints nest their value in `<value>`; annotations hold it as text.
            let value = i.child("value").map_or(i.text.as_ref(), |v| v.text.trim());
            (id, value.to_owned())
        })
        .collect();
    Annotation { path: el.attr("path").unwrap_or_default().to_owned(), items }
}

fn default_value(path: &str, attribute: &str, dv: &El) -> DefaultValue {
    let rm_type = dv.xsi_type.unwrap_or_default().to_owned();
    let value = dv.text_of("value").or_else(|| dv.text_of("magnitude")).map(str::to_owned);
    DefaultValue {
        path: path.to_owned(),
        attribute: attribute.to_owned(),
        rm_type,
        value,
        code_string: dv.text_at(&["defining_code", "code_string"]).map(str::to_owned),
        terminology: dv.text_at(&["defining_code", "terminology_id", "value"]).map(str::to_owned),
        units: dv.text_of("units").map(str::to_owned),
        numerator: dv.text_of("numerator").and_then(|v| v.parse().ok()),
        denominator: dv.text_of("denominator").and_then(|v| v.parse().ok()),
    }
}

fn object(el: &El, archetype: Option<usize>, tables: &mut Vec<ArchetypeTerms>) -> CObject {
    // `definition` is typed C_ARCHETYPE_ROOT by the schema and usually carries no `xsi:type`.
    let xsi = match el.xsi_type {
        Some(t) => t,
        None if el.child("archetype_id").is_some() => "C_ARCHETYPE_ROOT",
        None => "C_COMPLEX_OBJECT",
    };
    let mut archetype = archetype.unwrap_or(0);
    let kind = match xsi {
        "C_ARCHETYPE_ROOT" => {
            let archetype_id = el.text_at(&["archetype_id", "value"]).unwrap_or_default().to_owned();
            let parent = if tables.is_empty() { None } else { Some(archetype) };
            tables.push(terms(el, archetype_id.clone(), parent));
            archetype = tables.len() - 1;
            Kind::ArchetypeRoot { archetype_id }
        }
        "ARCHETYPE_SLOT" => Kind::Slot,
        "C_COMPLEX_OBJECT" => Kind::Complex,
        "C_CODE_PHRASE" => Kind::CodePhrase {
            terminology: el.text_at(&["terminology_id", "value"]).unwrap_or_default().to_owned(),
            codes: el.all("code_list").map(|c| c.text.trim().to_owned()).collect(),
            assumed: el.text_at(&["assumed_value", "code_string"]).map(str::to_owned),
        },
        "C_CODE_REFERENCE" => {
            Kind::CodeReference { reference_set_uri: el.text_of("referenceSetUri").map(str::to_owned) }
        }
        "C_DV_ORDINAL" => Kind::Ordinal {
            items: el
                .all("list")
                .map(|o| OrdinalItem {
                    value: o.text_of("value").and_then(|v| v.parse().ok()).unwrap_or_default(),
                    terminology: o
                        .text_at(&["symbol", "defining_code", "terminology_id", "value"])
                        .unwrap_or("local")
                        .to_owned(),
                    code: o.text_at(&["symbol", "defining_code", "code_string"]).unwrap_or_default().to_owned(),
                })
                .collect(),
            assumed: el.text_at(&["assumed_value", "symbol", "defining_code", "code_string"]).map(str::to_owned),
        },
        "C_DV_QUANTITY" => Kind::Quantity {
            items: el
                .all("list")
                .map(|q| QuantityItem {
                    units: q.text_of("units").unwrap_or_default().to_owned(),
                    magnitude: q.child("magnitude").map(interval_f64),
                    precision: q.child("precision").map(interval_i64),
                })
                .collect(),
            assumed_magnitude: el.text_at(&["assumed_value", "magnitude"]).and_then(|m| m.parse().ok()),
            assumed_units: el.text_at(&["assumed_value", "units"]).map(str::to_owned),
        },
        "C_PRIMITIVE_OBJECT" => Kind::Primitive(el.child("item").map_or(Primitive::Other, primitive)),
        other => Kind::Other(other.to_owned()),
    };
    let attributes = el
        .all("attributes")
        .map(|a| CAttribute {
            name: a.text_of("rm_attribute_name").unwrap_or_default().to_owned(),
            existence: a.child("existence").map(interval_i64).unwrap_or_else(|| Interval::exact(1)),
            multiple: a.xsi_type == Some("C_MULTIPLE_ATTRIBUTE"),
            cardinality: a.child("cardinality").and_then(|c| c.child("interval")).map(interval_i64),
            children: a.all("children").map(|c| object(c, Some(archetype), tables)).collect(),
        })
        .collect();
    CObject {
        rm_type: el.text_of("rm_type_name").unwrap_or_default().to_owned(),
        node_id: el.text_of("node_id").map(str::to_owned),
        occurrences: el.child("occurrences").map(interval_i64).unwrap_or_else(|| Interval::exact(1)),
        archetype,
        kind,
        attributes,
    }
}

fn terms(el: &El, archetype_id: String, parent: Option<usize>) -> ArchetypeTerms {
    let mut table = ArchetypeTerms { archetype_id, parent, ..ArchetypeTerms::default() };
    for def in el.all("term_definitions") {
        let Some(code) = def.attr("code") else { continue };
        let items =
            def.all("items").map(|i| (i.attr("id").unwrap_or_default().to_owned(), i.text.to_string())).collect();
        table.terms.entry(code.to_owned()).or_insert(Term { items });
    }
    for bindings in el.all("term_bindings") {
        let terminology = bindings.attr("terminology").unwrap_or_default();
        for item in bindings.all("items") {
            let Some(code) = item.attr("code") else { continue };
            let Some(value) = item.child("value") else { continue };
            table.bindings.entry(code.to_owned()).or_default().push(Binding {
                terminology: terminology.to_owned(),
                terminology_id: value.text_at(&["terminology_id", "value"]).unwrap_or_default().to_owned(),
                code_string: value.text_of("code_string").unwrap_or_default().to_owned(),
            });
        }
    }
    table
}

fn primitive(item: &El) -> Primitive {
    let pattern = || item.text_of("pattern").map(str::to_owned);
    let assumed = || item.text_of("assumed_value").map(str::to_owned);
    let string_range = || item.child("range").map(interval_string);
    match item.xsi_type.unwrap_or_default() {
        "C_STRING" => Primitive::String {
            pattern: pattern(),
            list: item.all("list").map(|l| l.text.trim().to_owned()).collect(),
            list_open: item.text_of("list_open").map(|v| v == "true"),
            assumed: assumed(),
        },
        "C_INTEGER" => Primitive::Integer {
            range: item.child("range").map(interval_i64),
            list: item.all("list").filter_map(|l| l.text.trim().parse().ok()).collect(),
            assumed: item.text_of("assumed_value").and_then(|v| v.parse().ok()),
        },
        "C_REAL" => Primitive::Real {
            range: item.child("range").map(interval_f64),
            list: item.all("list").filter_map(|l| l.text.trim().parse().ok()).collect(),
            assumed: item.text_of("assumed_value").and_then(|v| v.parse().ok()),
        },
        "C_BOOLEAN" => Primitive::Boolean {
            true_valid: item.text_of("true_valid").is_none_or(|v| v == "true"),
            false_valid: item.text_of("false_valid").is_none_or(|v| v == "true"),
            assumed: item.text_of("assumed_value").map(|v| v == "true"),
        },
        "C_DATE" => Primitive::Date { pattern: pattern(), range: string_range(), assumed: assumed() },
        "C_DATE_TIME" => Primitive::DateTime { pattern: pattern(), range: string_range(), assumed: assumed() },
        "C_TIME" => Primitive::Time { pattern: pattern(), range: string_range(), assumed: assumed() },
        "C_DURATION" => Primitive::Duration { pattern: pattern(), range: string_range(), assumed: assumed() },
        _ => Primitive::Other,
    }
}

fn flag(el: &El, name: &str, default: bool) -> bool {
    el.text_of(name).map_or(default, |v| v == "true" || v == "1")
}

fn interval_with<T>(el: &El, parse: impl Fn(&str) -> Option<T>) -> Interval<T> {
    let lower = if flag(el, "lower_unbounded", false) { None } else { el.text_of("lower").and_then(&parse) };
    let upper = if flag(el, "upper_unbounded", false) { None } else { el.text_of("upper").and_then(&parse) };
    Interval {
        lower,
        upper,
        lower_included: flag(el, "lower_included", true),
        upper_included: flag(el, "upper_included", true),
    }
}

fn interval_i64(el: &El) -> Interval<i64> {
    interval_with(el, |v| v.parse().ok())
}

fn interval_f64(el: &El) -> Interval<f64> {
    interval_with(el, |v| v.parse().ok())
}

fn interval_string(el: &El) -> Interval<String> {
    interval_with(el, |v| Some(v.to_owned()))
}
