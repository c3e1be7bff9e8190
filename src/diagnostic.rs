//! The one diagnostic shape shared by the core, the CLI, the npm package and the HTTP API:
//! `{code, severity, message, line, column, path}`.

use std::fmt;

/// How serious a diagnostic is. Only errors make an artefact invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null, hashmap_as_object))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $code:literal, $severity:ident; )*) => {
        /// Every diagnostic code the core emits. The string form (`OPT011`) is stable across
        /// releases: tools match on it, so a code is never reused for another meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Code {
            /// Every code, in table order (for documentation and exhaustive tests).
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable string form, e.g. `"OPT011"`.
            pub const fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code, )* }
            }

            /// The severity this code is always reported with.
            pub const fn severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$severity, )* }
            }

            /// What the code means (its documentation, one line).
            pub const fn description(self) -> &'static str {
                match self { $( Code::$variant => concat!($($doc),*), )* }
            }

            /// Parses the stable string form back into a code.
            pub fn from_code_str(s: &str) -> Option<Code> {
                match s { $( $code => Some(Code::$variant), )* _ => None }
            }

            /// The TypeScript declaration of `Code` (feature `wasm-types`): the union of every
            /// code string, in table order. `Code` serializes as its string, so this is what a
            /// diagnostic's `code` holds in JS.
            #[cfg(feature = "wasm-types")]
            pub const TS_DECL: &'static str = concat!(
            "/**\n * Every diagnostic code the core emits, as its stable string (see CODES.md).\n */\n",
            "export type Code =",
            $( "\n  | \"", $code, "\"", )*
            ";",
            );
        }

        #[cfg(feature = "wasm-types")]
        #[wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
        const CODE_TS: &str = Code::TS_DECL;
    };
}

codes! {
    // --- Any input ---
    /// The input is neither an OPT 1.4 XML document nor an ADL 2 text (or it is empty).
    UnknownFormat = "FMT001", Error;

    // --- Input and XML well-formedness (OPT 1.4) ---
    /// The XML is not well formed (unclosed tag, mismatched end tag, bad attribute, ...).
    XmlMalformed = "OPT001", Error;
    /// The input is not UTF-8 (UTF-16 BOM, another declared encoding, or invalid UTF-8 bytes).
    Encoding = "OPT002", Error;
    /// A DOCTYPE or entity declaration: refused, never expanded.
    DoctypeRefused = "OPT003", Error;
    /// A documented limit (input size, nesting depth) was exceeded; validation stopped there.
    LimitExceeded = "OPT004", Error;
    /// No root element at all (empty file, or only an XML declaration or comments).
    EmptyDocument = "OPT005", Error;
    /// The root element is not `template` in the `http://schemas.openehr.org/v1` namespace.
    WrongRoot = "OPT006", Error;

    // --- OPT 1.4 structure ---
    /// A mandatory element is missing (`template_id`, `concept`, `language`, `definition`,
    /// `description`, `archetype_id`, `rm_type_name`, ...).
    MissingElement = "OPT010", Error;
    /// A mandatory element is present but its value is empty.
    EmptyValue = "OPT011", Error;
    /// An element the schema allows once appears again.
    DuplicateElement = "OPT012", Error;
    /// The `template_id` value breaks the template id rule (see `ident::check_template_id`).
    InvalidTemplateId = "OPT013", Error;
    /// An archetype id is not of the ADL 1.4 form `openEHR-EHR-OBSERVATION.blood_pressure.v1`.
    InvalidArchetypeId = "OPT014", Error;
    /// A `node_id` used in the definition has no `term_definitions` entry in its archetype root.
    UndefinedNodeId = "OPT015", Error;
    /// An occurrences, existence or cardinality interval has lower > upper.
    IntervalInverted = "OPT016", Error;
    /// An interval bound is not a non-negative integer.
    IntervalBound = "OPT017", Error;
    /// An element the OPT 1.4 schema does not know at this place: ignored.
    UnknownElement = "OPT020", Warning;
    /// The `xsi:` prefix is undeclared or bound to a wrong URI; read as the XML Schema instance namespace.
    UndeclaredPrefix = "OPT021", Warning;
    /// An element the XSD requires but real exporters omit and CDRs accept: a C_OBJECT's `node_id`
    /// (Better omits it on e.g. `DV_CODED_TEXT` objects), a `C_CODE_REFERENCE`'s `referenceSetUri`.
    ToleratedOmission = "OPT022", Warning;

    // --- ADL 2 ---
    /// The text does not start with an ADL 2 artefact keyword (`archetype`, `template`, ...).
    AdlNotAdl = "ADL001", Error;
    /// The header's `(...)` meta-data list is malformed.
    AdlMetadata = "ADL002", Error;
    /// The artefact id after the keyword is missing or is not a valid ADL 2 HRID.
    AdlInvalidId = "ADL003", Error;
    /// A required header meta-data item (`adl_version`, `rm_release`) is missing.
    AdlMissingMetadata = "ADL004", Error;
    /// A mandatory section (`language`, `description`, `definition`, `terminology`) is missing.
    AdlMissingSection = "ADL005", Error;
    /// `specialize` is present but its parent id is missing or malformed.
    AdlInvalidParent = "ADL006", Error;
    /// The ODIN in `language` or `description` could not be read.
    AdlOdin = "ADL007", Error;
    /// A section appears out of order or twice.
    AdlSectionOrder = "ADL008", Error;
    /// A template or overlay must `specialize` a parent, and does not.
    AdlMissingParent = "ADL009", Error;
    /// A header item or section that ADL 2 does not define: ignored.
    AdlUnknown = "ADL020", Warning;

    // --- AQL (queries; `path` is the clause: `/select`, `/from`, `/where`, `/order_by`, `/limit`, or "") ---
    /// The query breaks the AQL grammar: a token is missing or unexpected (the message says what was expected).
    AqlSyntax = "AQL001", Error;
    /// A string literal is not closed before the end of the query.
    AqlUnclosedString = "AQL002", Error;
    /// A `[`, `(` or `{` is not closed (reported at the opening bracket).
    AqlUnclosed = "AQL003", Error;
    /// The documented nesting limit (`aql::MAX_DEPTH`) was exceeded; parsing stopped there.
    AqlLimitExceeded = "AQL004", Error;
    /// A character or operator that AQL does not have (`==`, `&&`, `#`, a lone `!`, ...).
    AqlBadToken = "AQL005", Error;
    /// A mandatory clause is missing: the query must start with SELECT and have a FROM clause.
    AqlMissingClause = "AQL006", Error;
    /// A number is wrong: LIMIT, OFFSET and TOP need a non-negative integer, and integers must fit 64 bits.
    AqlBadNumber = "AQL007", Error;
    /// A variable used in SELECT, WHERE or ORDER BY is not defined in FROM.
    AqlUnknownVariable = "AQL010", Error;
    /// A variable is defined twice in FROM.
    AqlDuplicateVariable = "AQL011", Error;
    /// Two SELECT columns have the same alias.
    AqlDuplicateAlias = "AQL012", Error;
    /// An archetype id in a predicate is neither an ADL 1.4 archetype id nor an ADL 2 archetype reference.
    AqlInvalidArchetypeId = "AQL013", Error;
    /// Legacy syntax outside AQL 1.1 that implementations still accept (TIMEWINDOW, LIMIT before
    /// ORDER BY, `NOT CONTAINS` without a class before it, a trailing `;`): read, but not portable.
    AqlLegacy = "AQL020", Warning;

    // --- Identifiers ---
    /// The identifier is empty.
    IdEmpty = "ID001", Error;
    /// The identifier is longer than allowed.
    IdTooLong = "ID002", Error;
    /// The identifier starts or ends with white space.
    IdSurroundingSpace = "ID003", Error;
    /// The identifier contains a control character.
    IdControlChar = "ID004", Error;
    /// The identifier contains a character its rule forbids.
    IdForbiddenChar = "ID005", Error;
    /// The identifier does not have the structure its rule requires.
    IdMalformed = "ID006", Error;
    /// The query name is reserved (`aql`, in any case).
    IdReserved = "ID007", Error;

    // --- FLAT compositions (validated against a web template) ---
    /// The composition is not JSON, not a JSON object, or exceeds the reader's size or depth limit.
    FlatMalformedJson = "FLAT001", Error;
    /// A FLAT value is an object or an array: FLAT values are strings, numbers, booleans or null.
    FlatNotScalar = "FLAT002", Error;
    /// The same key appears twice in the composition.
    FlatDuplicateKey = "FLAT003", Error;
    /// A key is not a path of the template's web template (unknown node id or underscore attribute).
    FlatUnknownPath = "FLAT010", Error;
    /// A `|suffix` that neither the node's inputs nor its RM type accept.
    FlatBadSuffix = "FLAT011", Error;
    /// A malformed `:N` index, or an index on a node that occurs at most once.
    FlatBadIndex = "FLAT012", Error;
    /// A repeatable node without its `:N` index: read as `:0`, as the EHRbase SDK does.
    FlatMissingIndex = "FLAT013", Warning;
    /// A `ctx/...` key the SDK's context does not define: ignored.
    FlatUnknownContext = "FLAT014", Warning;
    /// A value of the wrong JSON type for its input (text for a number, a non-boolean, ...).
    FlatValueType = "FLAT020", Error;
    /// A number outside its input's range (per unit for quantities).
    FlatOutOfRange = "FLAT021", Error;
    /// A code not in its input's closed list of codes.
    FlatNotInList = "FLAT022", Error;
    /// A date/time value lacks a component its pattern requires, or has one it forbids.
    FlatPattern = "FLAT023", Error;
    /// A quantity unit the template does not allow.
    FlatUnit = "FLAT024", Error;
    /// A number with more decimal places than its precision allows.
    FlatPrecision = "FLAT025", Error;
    /// A date, time, date-time or duration that is not ISO 8601.
    FlatIso8601 = "FLAT026", Error;
    /// A mandatory node (`min` >= 1) is missing under a present parent.
    FlatMissingMandatory = "FLAT030", Error;
    /// A node occurs more often than its `max` allows.
    FlatTooMany = "FLAT031", Error;
    /// An ACTION's `current_state` is not a state its `careflow_step` allows.
    FlatIsmState = "FLAT040", Error;
    /// An ACTION's `transition` does not lead to its `current_state` in the openEHR state machine.
    FlatIsmTransition = "FLAT041", Error;
    /// An ACTION's `current_state` differs from its `careflow_step`'s state and no `transition` says how.
    FlatIsmMissingTransition = "FLAT042", Error;

    // --- Versions ---
    /// A SEMVER version or version pattern is malformed.
    VersionMalformed = "VER001", Error;
    /// The requested version already exists.
    VersionExists = "VER002", Error;
    /// No version matches the pattern.
    VersionNotFound = "VER003", Error;
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Code::from_code_str(&s).ok_or_else(|| serde::de::Error::custom(format_args!("unknown diagnostic code {s:?}")))
    }
}

/// One finding about an input, positioned at a 1-based line and column (columns count
/// Unicode scalar values) and at an element path such as `/template/definition/attributes[2]`.
/// For inputs that are a single value (an identifier, a version) `line` is 1, `column`
/// points at the offending character and `path` is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null, hashmap_as_object))]
pub struct Diagnostic {
    #[cfg_attr(feature = "wasm-types", tsify(type = "Code"))]
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub line: u32,
    pub column: u32,
    pub path: String,
}

impl Diagnostic {
    /// A diagnostic with the code's own severity.
    pub fn new(code: Code, message: impl Into<String>, line: u32, column: u32, path: impl Into<String>) -> Self {
        Diagnostic { code, severity: code.severity(), message: message.into(), line, column, path: path.into() }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `line:column: severity[CODE]: message (at path)`: the rustc-like form the CLI prints after the file name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}[{}]: {}", self.line, self.column, self.severity, self.code, self.message)?;
        if !self.path.is_empty() {
            write!(f, " (at {})", self.path)?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for &code in Code::ALL {
            assert!(seen.insert(code.as_str()), "duplicate code {code}");
            assert_eq!(Code::from_code_str(code.as_str()), Some(code));
        }
        assert_eq!(Code::from_code_str("NOPE"), None);
    }

    #[test]
    fn display_is_rustc_like() {
        let d = Diagnostic::new(Code::MissingElement, "missing `concept`", 3, 7, "/template");
        assert_eq!(d.to_string(), "3:7: error[OPT010]: missing `concept` (at /template)");
    }
}
