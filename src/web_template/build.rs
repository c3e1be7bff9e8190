//! Builds the uncompacted web template tree from the template model: one node per constraint
//! object, the RM attributes editors fill in (`inContext`), ISM transitions, choices, inputs.

use std::collections::BTreeMap;

use super::inputs::{self, Ctx};
use super::paths::PathIndex;
use super::postprocess::post_process;
use super::rm::{ANY_DATA_TYPES, ignored_property, is_data_value, locatable, required_rm_attributes};
use super::terminology;
use super::{CodedValue, Input, Node, Options, TermBinding, WebTemplate};
use crate::template::{CObject, Interval, Kind, Template};

/// Deepest constraint nesting built; deeper objects are left out (real templates stay below 60).
const MAX_DEPTH: usize = 256;

/// A node while building: the public fields plus what compaction and id generation need.
pub(super) struct BNode {
    pub(super) node: Node,
    /// Attribute of the parent object this node hangs from (choice ids need it).
    pub(super) attr: String,
    /// `[archetype]/attr[code]/...`: the path annotations and default values are keyed by.
    pub(super) ap: String,
    pub(super) json_id: Option<String>,
    /// Path prefixes of the siblings this node depends on; resolved to ids later.
    pub(super) depends_on: Option<Vec<String>>,
    pub(super) cardinalities: Vec<(Interval<i64>, String)>,
    pub(super) children: Vec<BNode>,
}

impl BNode {
    pub(super) fn has_input(&self) -> bool {
        !self.node.inputs.is_empty()
    }
}

pub(super) fn build(template: &Template, options: &Options) -> WebTemplate {
    let default_language = options.default_language.clone().unwrap_or_else(|| template.language.clone());
    let languages = if options.languages.is_empty() {
        let mut all = vec![template.language.clone()];
        all.extend(template.translations.iter().cloned());
        all
    } else {
        options.languages.clone()
    };
    let ctx = Ctx {
        template,
        default_language: default_language.clone(),
        languages: languages.clone(),
        annotations: PathIndex::new(template.annotations.iter().map(|a| (a.path.clone(), a))),
        view: PathIndex::new(template.view.iter().map(|a| (a.path.clone(), a))),
        defaults: PathIndex::new(template.defaults.iter().map(|d| (format!("{}/{}", d.path, d.attribute), d))),
    };
    let builder = Builder { ctx: &ctx };
    let root_ap = format!("[{}]", archetype_node_id(&template.definition));
    let mut root = builder.node(None, &template.definition, "", &root_ap, None, 0);
    builder.children(&mut root, &template.definition, None, 0);
    super::compact::compact(&mut root);
    super::ids::assign(&mut root);
    WebTemplate {
        template_id: template.template_id.clone(),
        version: "2.3".to_owned(),
        default_language,
        languages,
        tree: finish(root),
        other_details: template.other_details.iter().filter(|(k, _)| k == "is_singleton").cloned().collect(),
    }
}

/// Moves the builder's children into the public nodes.
fn finish(b: BNode) -> Node {
    let mut node = b.node;
    node.children = b.children.into_iter().map(finish).collect();
    node
}

/// `archetype_id` for archetype roots, else the node id (empty when absent).
pub(super) fn archetype_node_id(obj: &CObject) -> &str {
    match &obj.kind {
        Kind::ArchetypeRoot { archetype_id } => archetype_id,
        _ => obj.node_id(),
    }
}

/// The constrained name of an object (`name/value` as a single C_STRING), if any.
pub(super) fn constrained_name(obj: &CObject) -> Option<&str> {
    let name = obj.attribute("name")?;
    let dv = name.children.first()?;
    let value = dv.attribute("value")?.children.first()?;
    match &value.kind {
        Kind::Primitive(crate::template::Primitive::String { list, .. }) => list.first().map(String::as_str),
        _ => None,
    }
}

/// Names given as a coded-text code list on `name`: one node per code.
fn name_codes(obj: &CObject) -> Vec<&str> {
    let Some(dv) = obj.attribute("name").and_then(|a| a.children.first()) else { return Vec::new() };
    if dv.rm_type != "DV_CODED_TEXT" {
        return Vec::new();
    }
    let Some(code) = dv.attribute("defining_code").and_then(|a| a.children.first()) else { return Vec::new() };
    match &code.kind {
        Kind::CodePhrase { codes, terminology, .. } if terminology == "local" => {
            codes.iter().map(String::as_str).collect()
        }
        _ => Vec::new(),
    }
}

fn max_of(interval: &Interval<i64>) -> i64 {
    interval.upper.map_or(-1, |u| if interval.upper_included { u } else { u.saturating_sub(1) })
}

fn min_of(interval: &Interval<i64>) -> i64 {
    interval.lower.map_or(0, |l| if interval.lower_included { l } else { l.saturating_add(1) })
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

struct Builder<'c, 't> {
    ctx: &'c Ctx<'t>,
}

impl<'c, 't> Builder<'c, 't> {
    fn template(&self) -> &'t Template {
        self.ctx.template
    }

    /// Creates the node for `obj` under `attr` (no children yet).
    fn node(
        &self,
        attr: Option<&str>,
        obj: &'t CObject,
        parent_path: &str,
        ap: &str,
        parent: Option<&'t CObject>,
        depth: usize,
    ) -> BNode {
        let _ = depth;
        let t = self.template();
        // Only LOCATABLEs have archetype node ids; one written on a data value or an EVENT_CONTEXT
        // is ignored (as EHRbase does): it can be neither a path predicate nor a name.
        let archetyped = locatable(&obj.rm_type) && !obj.node_id().is_empty();
        let code =
            if archetyped || matches!(obj.kind, Kind::ArchetypeRoot { .. }) { archetype_node_id(obj) } else { "" };
        let constrained = constrained_name(obj);
        let path = match attr {
            None => String::new(),
            Some(a) => format!("{parent_path}/{a}{}", predicate(code, constrained)),
        };
        let mut node = Node {
            rm_type: obj.rm_type.clone(),
            aql_path: path,
            node_id: match &obj.kind {
                Kind::ArchetypeRoot { archetype_id } => Some(archetype_id.clone()),
                _ if !archetyped && !obj.node_id().is_empty() => None,
                _ => obj.node_id.clone(),
            },
            min: min_of(&obj.occurrences),
            max: max_of(&obj.occurrences),
            ..Node::default()
        };
        if archetyped {
            node.name = self.am_name(obj);
            self.localized_names(obj, &mut node);
        } else if let Some(p) = parent.filter(|p| p.rm_type == "ELEMENT") {
            let parent_name = self.am_name(p);
            let saved = std::mem::replace(&mut node.name, parent_name);
            self.localized_names(p, &mut node);
            node.name = saved;
        }
        // Annotations of the template, then the extra items of the node's term.
        for a in self.ctx.annotations.find(&node.aql_path) {
            for (k, v) in &a.items {
                node.annotations.insert(k.clone(), v.clone());
            }
        }
        if archetyped && let Some(term) = t.term(obj.archetype, obj.node_id()) {
            for (k, v) in &term.items {
                if k != "text" && k != "description" {
                    node.annotations
                        .entry(k.clone())
                        .and_modify(|e| *e = format!("{e};{v}"))
                        .or_insert_with(|| v.clone());
                }
            }
        }
        if archetyped {
            node.term_bindings = self.bindings(obj, obj.node_id());
        }
        BNode {
            node,
            attr: attr.unwrap_or_default().to_owned(),
            ap: ap.to_owned(),
            json_id: None,
            depends_on: None,
            cardinalities: Vec::new(),
            children: Vec::new(),
        }
    }

    /// A node's view annotations (`view/constraints`), keyed by its AQL path.
    fn view_annotations(&self, b: &mut BNode) {
        for v in self.ctx.view.find(&b.node.aql_path) {
            for (k, value) in &v.items {
                b.node.annotations.insert(format!("view:{k}"), value.clone());
            }
        }
    }

    pub(super) fn bindings(&self, obj: &CObject, code: &str) -> BTreeMap<String, TermBinding> {
        let mut out = BTreeMap::new();
        if code.is_empty() {
            return out;
        }
        for b in self.template().bindings(obj.archetype, code) {
            if b.code_string.trim().is_empty() {
                continue;
            }
            let terminology_id =
                if b.terminology_id.is_empty() { b.terminology.clone() } else { b.terminology_id.clone() };
            out.insert(b.terminology.clone(), TermBinding { value: b.code_string.clone(), terminology_id });
        }
        out
    }

    /// The name the reference gives an archetyped object: its constrained name, else its term text.
    fn am_name(&self, obj: &CObject) -> Option<String> {
        if let Some(n) = constrained_name(obj) {
            return Some(n.to_owned());
        }
        let code = obj.node_id();
        if code.is_empty() {
            return None;
        }
        let t = self.template();
        t.term_item(obj.archetype, &t.language, code, "text").map(str::to_owned)
    }

    fn localized_names(&self, obj: &CObject, node: &mut Node) {
        let t = self.template();
        let code = obj.node_id();
        let name = node.name.clone().or_else(|| self.am_name(obj));
        let text = |lang: &str| self.ctx.text(obj, lang, code);
        if let Some(constrained) = constrained_name(obj) {
            let translated = t.term_item(obj.archetype, &t.language, code, "text") == Some(constrained);
            node.localized_name = if translated { text(&self.ctx.default_language) } else { name.clone() };
            if translated {
                for lang in &self.ctx.languages {
                    if let Some(tx) = text(lang).filter(|s| !s.trim().is_empty()) {
                        node.localized_names.insert(lang.clone(), tx);
                    }
                }
            } else if let Some(n) = &name {
                node.localized_names.insert(self.ctx.default_language.clone(), n.clone());
            }
        } else {
            node.localized_name = text(&self.ctx.default_language).or(name);
            for lang in &self.ctx.languages {
                node.localized_names.insert(lang.clone(), text(lang).unwrap_or_default());
            }
        }
        for lang in &self.ctx.languages {
            if let Some(d) = self.ctx.description(obj, lang, code) {
                node.localized_descriptions.insert(lang.clone(), d);
            }
        }
    }

    /// Builds the children (or inputs) of `b`, which was made from `obj`.
    fn children(&self, b: &mut BNode, obj: &'t CObject, parent: Option<&'t CObject>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let mut children: Vec<BNode> = Vec::new();
        let rm = obj.rm_type.as_str();
        if !is_data_value(rm) || rm.starts_with("DV_INTERVAL") {
            let mut ism_done = false;
            for attribute in &obj.attributes {
                if rm == "ACTION" && attribute.name == "ism_transition" {
                    self.ism_transition(&mut children, b, obj);
                    ism_done = true;
                    continue;
                }
                if attribute.name == "name" {
                    continue;
                }
                for child in &attribute.children {
                    if matches!(child.kind, Kind::Slot) {
                        continue;
                    }
                    let ap = child_ap(&b.ap, &attribute.name, child);
                    let codes = name_codes(child);
                    if codes.is_empty() {
                        let mut c =
                            self.node(Some(&attribute.name), child, &b.node.aql_path, &ap, Some(obj), depth + 1);
                        self.view_annotations(&mut c);
                        self.children(&mut c, child, Some(obj), depth + 1);
                        if ignored_property(rm, &attribute.name) {
                            c.node.in_context = Some(true);
                        }
                        children.push(c);
                    } else {
                        for code in codes {
                            let mut c =
                                self.node(Some(&attribute.name), child, &b.node.aql_path, &ap, Some(obj), depth + 1);
                            let name = self.ctx.text(child, &self.template().language, code);
                            c.node.localized_name = self.ctx.text(child, &self.ctx.default_language, code);
                            c.node.aql_path = format!(
                                "{}/{}{}",
                                b.node.aql_path,
                                attribute.name,
                                predicate(archetype_node_id(child), name.as_deref())
                            );
                            c.node.localized_names.clear();
                            c.node.localized_descriptions.clear();
                            for lang in &self.ctx.languages {
                                c.node
                                    .localized_names
                                    .insert(lang.clone(), self.ctx.text(child, lang, code).unwrap_or_default());
                                if let Some(d) = self.ctx.description(child, lang, code) {
                                    c.node.localized_descriptions.insert(lang.clone(), d);
                                }
                            }
                            c.node.name = name;
                            self.children(&mut c, child, Some(obj), depth + 1);
                            children.push(c);
                        }
                    }
                }
            }
            if rm == "ACTION" && !ism_done {
                self.ism_transition(&mut children, b, obj);
            }
            if rm == "INSTRUCTION" && obj.attribute("expiry_time").is_none() {
                let mut c = self.custom(b, "expiry_time", "DV_DATE_TIME", depth);
                c.node.name = Some("expiry_time".to_owned());
                c.node.in_context = None;
                c.node.min = 0;
                children.push(c);
            }
        }
        if children.is_empty() && rm == "ELEMENT" {
            for dv in ANY_DATA_TYPES {
                let mut c = self.custom(b, "value", dv, depth);
                // The reference passes the element's name where the attribute name belongs.
                let element_name = b.node.name.clone().unwrap_or_default();
                c.node.aql_path = format!("{}/{element_name}", b.node.aql_path);
                c.node.name = Some(capitalize(&element_name));
                c.json_id = Some(format!("{}_value", dv[3..].to_lowercase()));
                children.push(c);
            }
        }
        if children.is_empty() {
            inputs::add(self.ctx, b, obj, parent);
        }
        if !b.has_input() {
            for (attr, rm_type) in required_rm_attributes(rm) {
                if obj.attribute(attr).is_some() || (rm == "ACTION" && *attr == "ism_transition") {
                    continue;
                }
                children.push(self.custom(b, attr, rm_type, depth));
            }
        }
        if !children.is_empty() {
            b.children = children;
            post_process(b);
        }
        for attribute in &obj.attributes {
            if let Some(card) = &attribute.cardinality
                && requires_cardinality(card, attribute.children.len())
            {
                b.cardinalities.push((card.clone(), format!("{}/{}", b.node.aql_path, attribute.name)));
            }
        }
    }

    /// A node for an RM attribute the template does not constrain (`inContext`).
    fn custom(&self, parent: &BNode, attr: &str, rm_type: &str, depth: usize) -> BNode {
        let mut b = BNode {
            node: Node {
                name: Some(capitalize(attr)),
                rm_type: rm_type.to_owned(),
                aql_path: format!("{}/{attr}", parent.node.aql_path),
                min: 1,
                max: 1,
                in_context: Some(true),
                ..Node::default()
            },
            attr: attr.to_owned(),
            ap: format!("{}/{attr}", parent.ap),
            json_id: None,
            depends_on: None,
            cardinalities: Vec::new(),
            children: Vec::new(),
        };
        if attr == "value" && parent.node.rm_type == "ELEMENT" {
            b.node.aql_path = format!("{}/value", parent.node.aql_path);
            b.node.localized_name = parent.node.localized_name.clone();
            b.node.localized_names = parent.node.localized_names.clone();
            b.node.localized_descriptions = parent.node.localized_descriptions.clone();
        }
        if depth <= MAX_DEPTH {
            inputs::add_synthetic(self.ctx, &mut b);
        }
        b
    }

    fn ism_transition(&self, children: &mut Vec<BNode>, action: &BNode, obj: &'t CObject) {
        let mut ism = self.custom(action, "ism_transition", "ISM_TRANSITION", 0);
        let mut allowed: Vec<String> = Vec::new();
        let mut careflow = self.custom(&ism, "careflow_step", "DV_CODED_TEXT", 0);
        careflow.node.min = 0;
        if let Some(attribute) = obj.attribute("ism_transition") {
            let mut input =
                Input { suffix: Some("code".to_owned()), input_type: "CODED_TEXT".to_owned(), ..Input::default() };
            for t in attribute.children.iter().filter(|c| !c.node_id().is_empty()) {
                let mut value = self.ctx.coded_value("local", t.node_id(), obj);
                let states: Vec<String> = t
                    .attribute("current_state")
                    .and_then(|a| a.children.first())
                    .and_then(|dv| dv.attribute("defining_code"))
                    .and_then(|a| a.children.first())
                    .map(|c| match &c.kind {
                        Kind::CodePhrase { codes, .. } => codes.clone(),
                        _ => Vec::new(),
                    })
                    .unwrap_or_default();
                for s in &states {
                    if !allowed.contains(s) {
                        allowed.push(s.clone());
                    }
                }
                value.current_states = Some(states);
                input.list.push(value);
            }
            careflow.node.inputs = vec![input];
        }
        if allowed.is_empty() {
            allowed = terminology::ISM_STATES.iter().map(|s| (*s).to_owned()).collect();
        }
        let mut current = self.custom(&ism, "current_state", "DV_CODED_TEXT", 0);
        current.node.inputs = vec![Input {
            suffix: Some("code".to_owned()),
            input_type: "CODED_TEXT".to_owned(),
            list: allowed
                .iter()
                .map(|code| CodedValue {
                    value: code.clone(),
                    label: terminology::rubric(code).map(str::to_owned),
                    ..CodedValue::default()
                })
                .collect(),
            ..Input::default()
        }];
        let mut transition = self.custom(&ism, "transition", "DV_CODED_TEXT", 0);
        transition.node.min = 0;
        ism.children = vec![current, transition, careflow];
        children.push(ism);
    }
}

/// `[code]` or `[code,'name']` (the reference's short form of a name predicate).
fn predicate(code: &str, name: Option<&str>) -> String {
    if code.is_empty() {
        return String::new();
    }
    match name {
        Some(n) => format!("[{code},'{n}']"),
        None => format!("[{code}]"),
    }
}

fn child_ap(parent_ap: &str, attr: &str, child: &CObject) -> String {
    let code = archetype_node_id(child);
    if code.is_empty() { format!("{parent_ap}/{attr}") } else { format!("{parent_ap}/{attr}[{code}]") }
}

fn requires_cardinality(card: &Interval<i64>, children: usize) -> bool {
    let min = card.lower.unwrap_or(0);
    let max = card.upper;
    if min == 0 {
        return false;
    }
    if min == 1 && max == Some(1) && children == 1 {
        return false;
    }
    min > 1 || max.is_some_and(|m| m < i64::try_from(children).unwrap_or(i64::MAX))
}
