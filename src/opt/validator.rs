//! The streaming OPT validator: one pass of quick-xml events, a stack of open elements typed by
//! the schema table, and the few values metadata and cross-checks need. No document tree.

use std::collections::HashSet;

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::reader::Reader;

use super::namespaces::{Namespaces, Resolved};
use super::path::PathTracker;
use super::schema::{ARCHETYPE_ID, INTERVAL_OF_INTEGER, Kind, LEAF, OPERATIONAL_TEMPLATE, TEMPLATE_ID, TypeId};
use super::{MAX_DEPTH, MAX_INPUT_BYTES, OptMetadata, OptReport};
use crate::diagnostic::{Code, Diagnostic};
use crate::ident::{check_archetype_id_14, check_template_id};
use crate::position::LineIndex;
use crate::text::decode_utf8;

const OPENEHR_NS: &str = "http://schemas.openehr.org/v1";
const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";

/// How much of the template to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Depth {
    /// Everything: structure, identifiers, node ids, intervals.
    Full,
    /// Only what reading the metadata needs: the definition's body is skimmed, not checked.
    MetadataOnly,
}

pub(crate) fn run(input: &[u8], depth: Depth) -> OptReport {
    if input.len() > MAX_INPUT_BYTES {
        let message = format!("the input is {} bytes; the limit is {MAX_INPUT_BYTES} bytes", input.len());
        return OptReport {
            diagnostics: vec![Diagnostic::new(Code::LimitExceeded, message, 1, 1, "")],
            ..Default::default()
        };
    }
    match decode_utf8(input) {
        Ok(text) => Validator::new(text, depth).run(),
        Err(diagnostic) => OptReport { diagnostics: vec![diagnostic], ..Default::default() },
    }
}

/// What an open element means to the validator beyond its schema type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Other,
    Template,
    TemplateId,
    TemplateIdValue,
    Concept,
    Uid,
    UidValue,
    Language,
    LanguageCode,
    Description,
    OriginalAuthor,
    LifecycleState,
    Details,
    DetailsLanguage,
    DetailsLanguageCode,
    DetailsPurpose,
    /// `rm_type_name` of the definition.
    RootRmTypeName,
    ArchetypeId,
    ArchetypeIdValue,
    NodeId,
    IntervalLower,
    IntervalUpper,
    IntervalLowerUnbounded,
    IntervalUpperUnbounded,
}

impl Role {
    /// Leaf roles whose text the validator reads.
    fn captures_text(self) -> bool {
        !matches!(
            self,
            Role::Other
                | Role::Template
                | Role::TemplateId
                | Role::Uid
                | Role::Language
                | Role::Description
                | Role::Details
                | Role::DetailsLanguage
                | Role::ArchetypeId
        )
    }
}

/// Bounds read from an `IntervalOfInteger` element's children.
#[derive(Debug, Default, Clone, Copy)]
struct Interval {
    lower: Option<i64>,
    upper: Option<i64>,
    lower_unbounded: bool,
    upper_unbounded: bool,
}

/// One open element.
struct Frame {
    ty: TypeId,
    role: Role,
    /// Byte offset of the start tag's `<`.
    offset: usize,
    /// Which of the type's declared children have been seen (bit = index in `ty.elements()`).
    seen: u64,
    /// Set on `C_ARCHETYPE_ROOT` frames: whether this root is the template's `definition`.
    is_definition: bool,
    interval: Option<Interval>,
}

/// The node ids one archetype root uses and the terms it defines. Terms follow the nodes that
/// use them in an OPT, so the check runs when the root closes.
#[derive(Default)]
struct ArchetypeScope {
    used: Vec<(String, usize)>,
    defined: HashSet<String>,
}

/// Text being collected for a leaf element: borrowed while it is one piece, owned once it is not.
#[derive(Default)]
struct Capture<'a> {
    active: bool,
    borrowed: Option<&'a str>,
    owned: Option<String>,
}

impl<'a> Capture<'a> {
    fn start(&mut self) {
        self.active = true;
        self.borrowed = None;
        self.owned = None;
    }

    fn push(&mut self, piece: &str, borrowed: Option<&'a str>) {
        match (&mut self.owned, self.borrowed) {
            (Some(owned), _) => owned.push_str(piece),
            (None, Some(first)) => {
                let mut owned = String::with_capacity(first.len() + piece.len());
                owned.push_str(first);
                owned.push_str(piece);
                self.owned = Some(owned);
                self.borrowed = None;
            }
            (None, None) => match borrowed {
                Some(b) => self.borrowed = Some(b),
                None => self.owned = Some(piece.to_owned()),
            },
        }
    }

    fn text(&self) -> &str {
        match (&self.owned, self.borrowed) {
            (Some(owned), _) => owned.as_str(),
            (None, Some(b)) => b,
            (None, None) => "",
        }
    }
}

struct DetailsEntry {
    language: Option<String>,
    purpose: Option<String>,
}

struct Validator<'a> {
    text: &'a str,
    depth_mode: Depth,
    reader: Reader<&'a [u8]>,
    namespaces: Namespaces,
    path: PathTracker<'a>,
    frames: Vec<Frame>,
    /// >0 while inside an element whose content is not checked (unknown, duplicate or skimmed).
    skip_depth: usize,
    root_seen: bool,
    capture: Capture<'a>,
    scopes: Vec<ArchetypeScope>,
    metadata: OptMetadata,
    archetypes_seen: HashSet<String>,
    details: Vec<DetailsEntry>,
    pending_author_id: Option<String>,
    undeclared_xsi_reported: bool,
    diagnostics: Vec<(usize, Diagnostic)>,
    /// Node-id findings whose path is resolved after the pass (see `resolve_paths`).
    undefined_node_ids: Vec<(usize, String)>,
}

/// Why the pass stopped early.
struct Fatal;

impl<'a> Validator<'a> {
    fn new(text: &'a str, depth_mode: Depth) -> Self {
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.expand_empty_elements = false;
        Validator {
            text,
            depth_mode,
            reader,
            namespaces: Namespaces::default(),
            path: PathTracker::default(),
            frames: Vec::new(),
            skip_depth: 0,
            root_seen: false,
            capture: Capture::default(),
            scopes: Vec::new(),
            metadata: OptMetadata::default(),
            archetypes_seen: HashSet::new(),
            details: Vec::new(),
            pending_author_id: None,
            undeclared_xsi_reported: false,
            diagnostics: Vec::new(),
            undefined_node_ids: Vec::new(),
        }
    }

    fn run(mut self) -> OptReport {
        let finished = self.pass();
        if finished.is_ok() {
            self.finish_document();
        }
        self.resolve_details();
        let mut lines = LineIndex::new(self.text.as_bytes());
        let mut diagnostics: Vec<Diagnostic> = Vec::with_capacity(self.diagnostics.len());
        let node_paths = node_id_paths(self.text, &self.undefined_node_ids);
        let mut with_offsets = std::mem::take(&mut self.diagnostics);
        for ((offset, message), path) in self.undefined_node_ids.iter().zip(node_paths) {
            with_offsets.push((*offset, Diagnostic::new(Code::UndefinedNodeId, message.clone(), 0, 0, path)));
        }
        with_offsets.sort_by_key(|(offset, _)| *offset);
        for (offset, mut diagnostic) in with_offsets {
            if diagnostic.line == 0 {
                (diagnostic.line, diagnostic.column) = lines.position(offset);
            }
            diagnostics.push(diagnostic);
        }
        OptReport { metadata: self.metadata, diagnostics }
    }

    /// Records a diagnostic at `offset`; line and column are computed once, at the end.
    fn report(&mut self, code: Code, offset: usize, message: impl Into<String>, path: String) {
        self.diagnostics.push((offset, Diagnostic::new(code, message, 0, 0, path)));
    }

    fn pass(&mut self) -> Result<(), Fatal> {
        loop {
            let offset = usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX);
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(error) => {
                    let at = usize::try_from(self.reader.error_position()).unwrap_or(offset);
                    let path = self.path.render();
                    self.report(Code::XmlMalformed, at, format!("the XML is not well formed: {error}"), path);
                    return Err(Fatal);
                }
            };
            match event {
                Event::Start(start) => self.start_element(&start, offset, false)?,
                Event::Empty(start) => self.start_element(&start, offset, true)?,
                Event::End(_) => self.end_element(),
                Event::Text(text) => {
                    let raw: &'a str = match text.into_inner() {
                        std::borrow::Cow::Borrowed(b) => b,
                        std::borrow::Cow::Owned(o) => {
                            self.text_piece(&o, None, offset)?;
                            continue;
                        }
                    };
                    self.text_piece(raw, Some(raw), offset)?;
                }
                Event::CData(data) => {
                    let content: &str = &data;
                    self.text_piece(content, None, offset)?;
                }
                Event::GeneralRef(reference) => self.general_ref(&reference, offset)?,
                Event::DocType(_) => {
                    let message = "DOCTYPE declarations are refused: entities are never expanded or fetched";
                    self.report(Code::DoctypeRefused, offset, message, String::new());
                    return Err(Fatal);
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => {
                    if self.path.depth() > 0 {
                        let path = self.path.render();
                        let message = "the XML is not well formed: the input ends inside an element";
                        self.report(Code::XmlMalformed, offset, message, path);
                        return Err(Fatal);
                    }
                    return Ok(());
                }
            }
        }
    }

    fn text_piece(&mut self, piece: &str, borrowed: Option<&'a str>, offset: usize) -> Result<(), Fatal> {
        if self.path.depth() == 0 {
            if !piece.trim().is_empty() {
                let message = "the XML is not well formed: text outside the root element";
                self.report(Code::XmlMalformed, offset, message, String::new());
                return Err(Fatal);
            }
            return Ok(());
        }
        if self.capture.active {
            self.capture.push(piece, borrowed);
        }
        Ok(())
    }

    /// `&amp;`-style references arrive as their own events; resolve the predefined ones.
    fn general_ref(&mut self, reference: &BytesRef<'_>, offset: usize) -> Result<(), Fatal> {
        let resolved: Option<String> = match reference.resolve_char_ref() {
            Ok(Some(ch)) => Some(ch.to_string()),
            Ok(None) => quick_xml::escape::resolve_predefined_entity(reference).map(str::to_owned),
            Err(_) => None,
        };
        match resolved {
            Some(text) => self.text_piece(&text, None, offset),
            None => {
                let path = self.path.render();
                let message = format!("the XML is not well formed: undefined entity reference `&{};`", &**reference);
                self.report(Code::XmlMalformed, offset, message, path);
                Err(Fatal)
            }
        }
    }

    fn start_element(&mut self, start: &BytesStart<'a>, offset: usize, empty: bool) -> Result<(), Fatal> {
        let name: &'a str = local_name(start, self.text);
        self.path.push(name);
        if self.path.depth() > MAX_DEPTH {
            let message = format!("elements are nested deeper than the limit of {MAX_DEPTH}");
            let path = self.path.render_prefix(MAX_DEPTH);
            self.report(Code::LimitExceeded, offset, message, path);
            return Err(Fatal);
        }
        if self.skip_depth > 0 {
            self.check_attributes(start, offset)?;
            if empty {
                self.close_path();
            } else {
                self.skip_depth += 1;
            }
            return Ok(());
        }
        let attrs = self.read_attributes(start, offset)?;
        let qname: &str = start.name().0;
        let in_ns = matches!(self.namespaces.resolve(qname, true).0, Resolved::Bound(OPENEHR_NS));
        if self.frames.is_empty() {
            return self.start_root(name, in_ns, offset, empty);
        }
        self.start_child(name, in_ns, offset, empty, attrs)
    }

    fn start_root(&mut self, name: &str, in_ns: bool, offset: usize, empty: bool) -> Result<(), Fatal> {
        if self.root_seen {
            let message = "the XML is not well formed: more than one root element";
            self.report(Code::XmlMalformed, offset, message, String::new());
            return Err(Fatal);
        }
        self.root_seen = true;
        if name != "template" || !in_ns {
            let found = if in_ns { name.to_owned() } else { format!("{name}` outside the openEHR namespace `") };
            let message = format!("the root element is `{found}`; an OPT's root is `template` in `{OPENEHR_NS}`");
            let path = self.path.render();
            self.report(Code::WrongRoot, offset, message, path);
            return Err(Fatal);
        }
        self.push_frame(OPERATIONAL_TEMPLATE, Role::Template, offset);
        if empty {
            self.end_element();
        }
        Ok(())
    }

    fn start_child(
        &mut self,
        name: &'a str,
        in_ns: bool,
        offset: usize,
        empty: bool,
        attrs: Attrs,
    ) -> Result<(), Fatal> {
        let Some(parent) = self.frames.last() else { return Ok(()) };
        let (parent_ty, parent_role, parent_is_definition) = (parent.ty, parent.role, parent.is_definition);
        let declared = if in_ns { parent_ty.element(name) } else { None };
        let Some((index, decl)) = declared else {
            let message = if parent_ty == LEAF {
                format!("unexpected element `{name}` inside a text-only element: ignored")
            } else {
                format!("unknown element `{name}` in `{}`: ignored", parent_ty.name())
            };
            let path = self.path.render();
            self.report(Code::UnknownElement, offset, message, path);
            return self.skip(empty);
        };
        let bit = 1u64 << index;
        if let Some(parent) = self.frames.last_mut() {
            let repeated = parent.seen & bit != 0;
            parent.seen |= bit;
            if repeated && decl.single {
                let message = format!("`{name}` appears more than once; the schema allows one");
                let path = self.path.render();
                self.report(Code::DuplicateElement, offset, message, path);
                return self.skip(empty);
            }
        }
        if self.depth_mode == Depth::MetadataOnly
            && parent_is_definition
            && !matches!(name, "archetype_id" | "rm_type_name")
        {
            return self.skip(empty);
        }
        let mut ty = decl.ty;
        if let Some(xsi_type) = attrs.xsi_type {
            match xsi_type {
                Ok(named) => ty = named,
                Err(xsi_type) => {
                    let message = format!("unknown xsi:type `{xsi_type}` on `{name}`: its content is not checked");
                    let path = self.path.render();
                    self.report(Code::UnknownElement, offset, message, path);
                    return self.skip(empty);
                }
            }
        }
        let role = child_role(parent_role, parent_ty, name, self.frames.len());
        if role == Role::OriginalAuthor {
            self.pending_author_id = attrs.id;
        }
        if name == "term_definitions"
            && parent_ty.is(Kind::ArchetypeRoot)
            && let Some(code) = attrs.code
            && let Some(scope) = self.scopes.last_mut()
        {
            scope.defined.insert(code);
        }
        if role == Role::Details {
            self.details.push(DetailsEntry { language: None, purpose: None });
        }
        self.push_frame(ty, role, offset);
        if ty.is(Kind::ArchetypeRoot) {
            if let Some(frame) = self.frames.last_mut() {
                frame.is_definition = parent_role == Role::Template;
            }
            self.scopes.push(ArchetypeScope::default());
        }
        if empty {
            self.end_element();
        }
        Ok(())
    }

    /// Enters an element whose content is not checked.
    fn skip(&mut self, empty: bool) -> Result<(), Fatal> {
        if empty {
            self.close_path();
        } else {
            self.skip_depth = 1;
        }
        Ok(())
    }

    fn push_frame(&mut self, ty: TypeId, role: Role, offset: usize) {
        let interval = (ty == INTERVAL_OF_INTEGER).then(Interval::default);
        self.frames.push(Frame { ty, role, offset, seen: 0, is_definition: false, interval });
        if role.captures_text() {
            self.capture.start();
        }
    }

    fn end_element(&mut self) {
        if self.skip_depth > 0 {
            self.skip_depth -= 1;
            self.close_path();
            return;
        }
        let Some(frame) = self.frames.pop() else {
            self.close_path();
            return;
        };
        if frame.role.captures_text() {
            let capture = std::mem::take(&mut self.capture);
            self.leaf_value(&frame, capture.text().trim());
        }
        self.check_required_children(&frame);
        if let Some(interval) = frame.interval {
            self.check_interval(&frame, interval);
        }
        if frame.ty.is(Kind::ArchetypeRoot) {
            self.close_archetype_scope();
        }
        self.close_path();
    }

    /// Handles the text of a leaf the validator cares about.
    fn leaf_value(&mut self, frame: &Frame, value: &str) {
        let offset = frame.offset;
        let must_not_be_empty = match frame.role {
            Role::TemplateIdValue => Some("template_id"),
            Role::Concept => Some("concept"),
            Role::LanguageCode => Some("language"),
            Role::RootRmTypeName => Some("rm_type_name"),
            Role::ArchetypeIdValue => Some("archetype_id"),
            _ => None,
        };
        if let Some(what) = must_not_be_empty
            && value.is_empty()
        {
            let path = self.path.render();
            self.report(Code::EmptyValue, offset, format!("`{what}` has an empty value"), path);
            return;
        }
        match frame.role {
            Role::TemplateIdValue => {
                if let Err(problem) = check_template_id(value) {
                    let path = self.path.render();
                    let message = format!("template_id `{value}` is not accepted: {}", problem.message);
                    self.report(Code::InvalidTemplateId, offset, message, path);
                }
                set_once(&mut self.metadata.template_id, value);
            }
            Role::Concept => set_once(&mut self.metadata.concept, value),
            Role::UidValue => set_once(&mut self.metadata.uid, value),
            Role::LanguageCode => set_once(&mut self.metadata.language, value),
            Role::LifecycleState => set_once(&mut self.metadata.lifecycle_state, value),
            Role::OriginalAuthor => {
                let id = self.pending_author_id.take().unwrap_or_else(|| "name".to_owned());
                self.metadata.original_author.entry(id).or_insert_with(|| value.to_owned());
            }
            Role::DetailsLanguageCode => {
                if let Some(entry) = self.details.last_mut() {
                    entry.language.get_or_insert_with(|| value.to_owned());
                }
            }
            Role::DetailsPurpose => {
                if let Some(entry) = self.details.last_mut() {
                    entry.purpose.get_or_insert_with(|| value.to_owned());
                }
            }
            Role::RootRmTypeName => set_once(&mut self.metadata.rm_type_name, value),
            Role::ArchetypeIdValue => self.archetype_id(offset, value),
            Role::NodeId => {
                if self.depth_mode == Depth::Full
                    && !value.is_empty()
                    && let Some(scope) = self.scopes.last_mut()
                {
                    scope.used.push((value.to_owned(), offset));
                }
            }
            Role::IntervalLower | Role::IntervalUpper => self.interval_bound(frame, offset, value),
            Role::IntervalLowerUnbounded | Role::IntervalUpperUnbounded => {
                let unbounded = value == "true" || value == "1";
                if let Some(interval) = self.frames.last_mut().and_then(|f| f.interval.as_mut()) {
                    if frame.role == Role::IntervalLowerUnbounded {
                        interval.lower_unbounded = unbounded;
                    } else {
                        interval.upper_unbounded = unbounded;
                    }
                }
            }
            _ => {}
        }
    }

    fn archetype_id(&mut self, offset: usize, value: &str) {
        // The value's parent `archetype_id` is on top of the stack; the archetype root below it.
        let is_definition = self.frames.iter().rev().nth(1).is_some_and(|f| f.is_definition);
        if self.depth_mode == Depth::Full
            && let Err(problem) = check_archetype_id_14(value)
        {
            let path = self.path.render();
            let message = format!("archetype id `{value}` is malformed: {}", problem.message);
            self.report(Code::InvalidArchetypeId, offset, message, path);
        }
        if is_definition {
            set_once(&mut self.metadata.archetype_id, value);
        }
        if !self.archetypes_seen.insert(value.to_owned()) {
            return;
        }
        if is_definition {
            // The root's id closes after every nested root's: put it first.
            self.metadata.archetypes.insert(0, value.to_owned());
        } else {
            self.metadata.archetypes.push(value.to_owned());
        }
    }

    fn interval_bound(&mut self, frame: &Frame, offset: usize, value: &str) {
        let Ok(bound) = value.parse::<i64>() else {
            let path = self.path.render();
            let message = format!("interval bound `{value}` is not an integer");
            self.report(Code::IntervalBound, offset, message, path);
            return;
        };
        if let Some(interval) = self.frames.last_mut().and_then(|f| f.interval.as_mut()) {
            if frame.role == Role::IntervalLower {
                interval.lower = Some(bound);
            } else {
                interval.upper = Some(bound);
            }
        }
    }

    fn check_interval(&mut self, frame: &Frame, interval: Interval) {
        if let (Some(lower), Some(upper), false, false) =
            (interval.lower, interval.upper, interval.lower_unbounded, interval.upper_unbounded)
            && lower > upper
        {
            let path = self.path.render();
            let message = format!("interval lower bound {lower} is greater than its upper bound {upper}");
            self.report(Code::IntervalInverted, frame.offset, message, path);
        }
    }

    fn check_required_children(&mut self, frame: &Frame) {
        if !checks_required_children(frame) {
            return;
        }
        if self.depth_mode == Depth::MetadataOnly && frame.is_definition {
            return;
        }
        let elements = frame.ty.elements();
        for (index, decl) in elements.iter().enumerate() {
            // The Definitions API needs a description, which the XSD leaves optional.
            let required = decl.required || (frame.role == Role::Template && decl.name == "description");
            if required && frame.seen & (1u64 << index) == 0 {
                let path = self.path.render();
                let element = path.rsplit('/').next().unwrap_or_default();
                let element = element.split('[').next().unwrap_or_default();
                if tolerated_omission(frame.ty, decl.name) {
                    let message = format!(
                        "`{element}` has no `{}` element: the XSD requires it, real exporters omit it",
                        decl.name
                    );
                    self.report(Code::ToleratedOmission, frame.offset, message, path);
                    continue;
                }
                let message = format!("`{element}` is missing its required `{}` element", decl.name);
                self.report(Code::MissingElement, frame.offset, message, path);
            }
        }
    }

    fn close_archetype_scope(&mut self) {
        let Some(scope) = self.scopes.pop() else { return };
        for (code, offset) in scope.used.iter() {
            if !scope.defined.contains(code) {
                let message = format!("node_id `{code}` has no term definition in its archetype root");
                self.undefined_node_ids.push((*offset, message));
            }
        }
    }

    fn finish_document(&mut self) {
        if !self.root_seen {
            let message = "the document has no root element";
            self.report(Code::EmptyDocument, self.text.len(), message, String::new());
        }
    }

    /// Picks `purpose` (the template language's, else the first) and the other languages.
    fn resolve_details(&mut self) {
        let language = self.metadata.language.clone();
        for entry in &self.details {
            let Some(lang) = &entry.language else { continue };
            if Some(lang) == language.as_ref() {
                if let Some(purpose) = &entry.purpose {
                    self.metadata.purpose = Some(purpose.clone());
                }
            } else if !self.metadata.translations.contains(lang) {
                self.metadata.translations.push(lang.clone());
            }
        }
        if self.metadata.purpose.is_none() {
            self.metadata.purpose = self.details.iter().find_map(|d| d.purpose.clone());
        }
    }

    /// Closes the current element's path step and the namespaces it declared.
    fn close_path(&mut self) {
        self.namespaces.leave(self.path.depth());
        self.path.pop();
    }

    /// Reads the attributes the validator uses; reports malformed ones.
    fn read_attributes(&mut self, start: &BytesStart<'a>, offset: usize) -> Result<Attrs, Fatal> {
        let mut attrs = Attrs::default();
        if start.attributes_raw().trim_ascii_end().is_empty() {
            // Most elements of an OPT have no attributes: skip the iterator.
            return Ok(attrs);
        }
        let mut type_attribute = None;
        let depth = self.path.depth();
        for attribute in start.attributes() {
            let attribute = match attribute {
                Ok(a) => a,
                Err(error) => {
                    let path = self.path.render();
                    self.report(Code::XmlMalformed, offset, format!("the XML is not well formed: {error}"), path);
                    return Err(Fatal);
                }
            };
            let key: &str = attribute.key.0;
            match key {
                "xmlns" => self.namespaces.declare(depth, "", &attribute.value),
                "code" => attrs.code = Some(unescape(&attribute.value)),
                "id" => attrs.id = Some(unescape(&attribute.value)),
                _ => {
                    if let Some(prefix) = key.strip_prefix("xmlns:") {
                        self.namespaces.declare(depth, prefix, &attribute.value);
                    } else if key.ends_with(":type") {
                        // Resolved after the loop: its prefix may be declared by a later attribute.
                        type_attribute = Some((key, attribute.value));
                    }
                }
            }
        }
        if let Some((key, value)) = type_attribute {
            attrs.xsi_type = self.xsi_type(key, &value, offset);
        }
        Ok(attrs)
    }

    /// The schema type an `xsi:type` attribute names (`None` when `key` is another `*:type`).
    fn xsi_type(&mut self, key: &str, value: &str, offset: usize) -> Option<Result<TypeId, String>> {
        let literal_xsi = key.starts_with("xsi:");
        let is_xsi = match self.namespaces.resolve(key, false).0 {
            Resolved::Bound(XSI_NS) => true,
            // Some generators write `xsi:type` without declaring `xsi`, or bind it to a mistyped
            // URI: read it as meant, and say so once.
            Resolved::Bound(uri) if literal_xsi => {
                let message = format!("the `xsi` prefix is bound to `{uri}`; read as `{XSI_NS}`");
                self.report_prefix_once(offset, message);
                true
            }
            Resolved::Unknown if literal_xsi => {
                let message = format!("the `xsi` prefix is used without a declaration; read as `{XSI_NS}`");
                self.report_prefix_once(offset, message);
                true
            }
            _ => false,
        };
        if !is_xsi {
            return None;
        }
        // `xsi:type="xs:string"` names a built-in simple type: text content.
        let (type_ns, type_local) = self.namespaces.resolve(value, true);
        let builtin = match type_ns {
            Resolved::Bound(uri) => uri == XSD_NS,
            Resolved::Unknown => value.starts_with("xs:") || value.starts_with("xsd:"),
            Resolved::Unbound => false,
        };
        Some(if builtin { Ok(LEAF) } else { TypeId::by_name(type_local).ok_or_else(|| type_local.to_owned()) })
    }

    fn report_prefix_once(&mut self, offset: usize, message: String) {
        if !self.undeclared_xsi_reported {
            self.undeclared_xsi_reported = true;
            let path = self.path.render();
            self.report(Code::UndeclaredPrefix, offset, message, path);
        }
    }

    /// Checks attribute syntax inside skipped content (well-formedness still applies there).
    fn check_attributes(&mut self, start: &BytesStart<'a>, offset: usize) -> Result<(), Fatal> {
        for attribute in start.attributes() {
            if let Err(error) = attribute {
                let path = self.path.render();
                self.report(Code::XmlMalformed, offset, format!("the XML is not well formed: {error}"), path);
                return Err(Fatal);
            }
        }
        Ok(())
    }
}

/// Whether an element's required children are enforced. The schema's `minOccurs` is enforced
/// for the template's frame, the definition's constraint nodes and the identifiers in them;
/// data values (`DV_*` defaults, ordinal symbols) and the `constraints` overlay are left alone
/// because the tools that write real OPTs routinely omit their "required" parts.
fn checks_required_children(frame: &Frame) -> bool {
    let ty = frame.ty;
    ty == OPERATIONAL_TEMPLATE
        || frame.role == Role::Language
        || ty == ARCHETYPE_ID
        || ty == TEMPLATE_ID
        || (ty.is(Kind::CObject) && !ty.is(Kind::TComplexObject))
        || ty.is(Kind::CAttribute)
}

/// Required elements whose absence real exporters produce and CDRs accept (`OPT022`, a warning):
/// a constraint object's `node_id` (empty for non-archetyped objects anyway) and a
/// `C_CODE_REFERENCE`'s `referenceSetUri` (Better writes it only for external terminologies).
fn tolerated_omission(ty: TypeId, element: &str) -> bool {
    (element == "node_id" && ty.is(Kind::CObject) && !ty.is(Kind::ArchetypeRoot))
        || (element == "referenceSetUri" && ty.name() == "C_CODE_REFERENCE")
}

/// The attributes the validator reads.
#[derive(Default)]
struct Attrs {
    /// `xsi:type`: a known schema type, or the unknown name as written.
    xsi_type: Option<Result<TypeId, String>>,
    code: Option<String>,
    id: Option<String>,
}

fn unescape(value: &str) -> String {
    quick_xml::escape::unescape(value).map_or_else(|_| value.to_owned(), |v| v.into_owned())
}

fn local_name<'a>(start: &BytesStart<'a>, text: &'a str) -> &'a str {
    // `BytesStart` borrows from the input; re-borrow its name from `text` to get the input's lifetime.
    let name = start.local_name();
    let name: &str = name.as_ref();
    let base = text.as_ptr() as usize;
    let at = name.as_ptr() as usize;
    match at.checked_sub(base) {
        Some(offset) if offset + name.len() <= text.len() => &text[offset..offset + name.len()],
        _ => "?",
    }
}

fn set_once(slot: &mut Option<String>, value: &str) {
    if slot.is_none() {
        *slot = Some(value.to_owned());
    }
}

/// The role of a child element, from its parent's role and type.
fn child_role(parent: Role, parent_ty: TypeId, name: &str, depth: usize) -> Role {
    match (parent, name) {
        (Role::Template, "template_id") => Role::TemplateId,
        (Role::TemplateId, "value") => Role::TemplateIdValue,
        (Role::Template, "concept") => Role::Concept,
        (Role::Template, "uid") => Role::Uid,
        (Role::Uid, "value") => Role::UidValue,
        (Role::Template, "language") => Role::Language,
        (Role::Language, "code_string") => Role::LanguageCode,
        (Role::Template, "description") => Role::Description,
        (Role::Description, "original_author") => Role::OriginalAuthor,
        (Role::Description, "lifecycle_state") => Role::LifecycleState,
        (Role::Description, "details") => Role::Details,
        (Role::Details, "language") => Role::DetailsLanguage,
        (Role::DetailsLanguage, "code_string") => Role::DetailsLanguageCode,
        (Role::Details, "purpose") => Role::DetailsPurpose,
        (Role::ArchetypeId, "value") => Role::ArchetypeIdValue,
        _ if parent_ty.is(Kind::ArchetypeRoot) && name == "archetype_id" => Role::ArchetypeId,
        _ if parent_ty.is(Kind::ArchetypeRoot) && name == "rm_type_name" && depth == 2 => Role::RootRmTypeName,
        _ if parent_ty.is(Kind::CObject) && name == "node_id" => Role::NodeId,
        _ if parent_ty == INTERVAL_OF_INTEGER => match name {
            "lower" => Role::IntervalLower,
            "upper" => Role::IntervalUpper,
            "lower_unbounded" => Role::IntervalLowerUnbounded,
            "upper_unbounded" => Role::IntervalUpperUnbounded,
            _ => Role::Other,
        },
        _ => Role::Other,
    }
}

/// Paths of the elements that start at `findings`' offsets, found by a second, path-only pass.
/// Node-id checks complete only when their archetype root closes, long after the path is gone;
/// re-walking the (already validated) text in the rare invalid case keeps the main pass lean.
fn node_id_paths(text: &str, findings: &[(usize, String)]) -> Vec<String> {
    if findings.is_empty() {
        return Vec::new();
    }
    let mut wanted: Vec<(usize, usize)> = findings.iter().enumerate().map(|(i, (o, _))| (*o, i)).collect();
    wanted.sort_unstable();
    let mut paths = vec![String::new(); findings.len()];
    let mut reader = quick_xml::Reader::from_str(text);
    let mut tracker = PathTracker::default();
    let mut next = 0;
    while next < wanted.len() {
        let offset = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match reader.read_event() {
            Ok(Event::Start(start)) => {
                tracker.push(local_name(&start, text));
                while next < wanted.len() && wanted[next].0 == offset {
                    paths[wanted[next].1] = tracker.render();
                    next += 1;
                }
            }
            Ok(Event::Empty(start)) => {
                tracker.push(local_name(&start, text));
                while next < wanted.len() && wanted[next].0 == offset {
                    paths[wanted[next].1] = tracker.render();
                    next += 1;
                }
                tracker.pop();
            }
            Ok(Event::End(_)) => tracker.pop(),
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    paths
}
