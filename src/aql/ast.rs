//! The typed syntax tree of an AQL query.
//!
//! The tree holds what a query means, not how it was spelled: keywords, white space, comments
//! and redundant parentheses are gone, `AND`/`OR` chains are flat lists, and string literals are
//! decoded. That is what makes the round trip exact: `parse(print(q)) == q` for every query the
//! parser accepts. Positions are not stored (diagnostics carry them), so two spellings of one
//! query compare equal.

pub use super::lex::CmpOp;

/// A whole query: `SELECT ... FROM ... [WHERE ...] [ORDER BY ...] [LIMIT n [OFFSET m]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Query {
    pub distinct: bool,
    /// The deprecated `TOP n [FORWARD|BACKWARD]`.
    pub top: Option<Top>,
    pub select: Vec<SelectItem>,
    pub from: ContainsExpr,
    #[cfg_attr(feature = "serde", serde(rename = "where"))]
    pub where_: Option<Condition>,
    /// The legacy `TIMEWINDOW` interval, as written (e.g. `PT12H/2019-10-24`).
    pub timewindow: Option<String>,
    pub order_by: Vec<OrderItem>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Top {
    pub count: u64,
    pub direction: Option<TopDirection>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum TopDirection {
    Forward,
    Backward,
}

/// One column of the SELECT list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct SelectItem {
    pub expr: ColumnExpr,
    pub alias: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ColumnExpr {
    Path(IdentifiedPath),
    Literal(Literal),
    Function(FunctionCall),
    Aggregate(AggregateCall),
}

/// `variable[predicate]/attribute[predicate]/...`: a path that starts at a FROM variable.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct IdentifiedPath {
    pub variable: String,
    pub predicate: Option<Predicate>,
    /// The attributes after the variable (`/data[at0001]/events`); empty for the variable itself.
    pub path: Vec<PathPart>,
}

/// One `/attribute[predicate]` step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct PathPart {
    pub attribute: String,
    pub predicate: Option<Predicate>,
}

/// The content of `[...]` after a class, a variable or an attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Predicate {
    /// `a and b and ...` (binds tighter than `or`).
    And(Vec<Predicate>),
    Or(Vec<Predicate>),
    /// `[at0001]`, `[at0001, 'name']`, `[openEHR-EHR-OBSERVATION.bp.v1]`.
    Node {
        node: NodeId,
        name: Option<PredicateValue>,
    },
    /// `[$archetype_id]`.
    Parameter(String),
    /// `[name/value = 'x']`, `[ehr_id/value = $ehr_id]`.
    Comparison {
        path: Vec<PathPart>,
        op: CmpOp,
        value: PredicateValue,
    },
    /// `[name/value matches {/regex/}]`: the regex between the slashes.
    Matches {
        path: Vec<PathPart>,
        regex: String,
    },
    /// `VERSION v[LATEST_VERSION]`.
    LatestVersion,
    /// `VERSION v[ALL_VERSIONS]`.
    AllVersions,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum NodeId {
    /// `at0001`, `id5`.
    Code(String),
    /// An archetype id (ADL 1.4 or ADL 2).
    Archetype(String),
}

/// The right-hand side of a predicate comparison, or the name after `[at0001, ...]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum PredicateValue {
    Literal(Literal),
    Parameter(String),
    Path(Vec<PathPart>),
    Code(String),
    TermCode(String),
}

/// The FROM clause: classes, their variables and predicates, joined by CONTAINS, AND, OR.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ContainsExpr {
    /// `CLASS [variable] [predicate] [[NOT] CONTAINS ...]`.
    Class {
        class: ClassExpr,
        contains: Option<Box<Containment>>,
    },
    And(Vec<ContainsExpr>),
    Or(Vec<ContainsExpr>),
    /// The legacy operand `NOT CONTAINS x` with no class before it (AQL020).
    NotContains(Box<ContainsExpr>),
}

/// `EHR e[ehr_id/value=$ehr_id]`, `COMPOSITION c[openEHR-EHR-COMPOSITION.encounter.v1]`, `VERSION v`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct ClassExpr {
    /// The RM class as written (`EHR`, `COMPOSITION`, `VERSION`, ...).
    pub class: String,
    pub variable: Option<String>,
    pub predicate: Option<Predicate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct Containment {
    /// `NOT CONTAINS`.
    pub negated: bool,
    pub inner: ContainsExpr,
}

/// The WHERE clause.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    Comparison {
        left: Operand,
        op: CmpOp,
        right: Operand,
    },
    /// `path LIKE 'pattern'` (or `$parameter`).
    Like {
        path: IdentifiedPath,
        pattern: Operand,
    },
    Matches {
        path: IdentifiedPath,
        operand: MatchesOperand,
    },
    Exists(IdentifiedPath),
}

/// A value in a condition or a function argument.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Operand {
    Literal(Literal),
    Parameter(String),
    Path(IdentifiedPath),
    Function(FunctionCall),
}

/// What follows MATCHES.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum MatchesOperand {
    /// `{'a', 1, $p, TERMINOLOGY(...)}`.
    List(Vec<Operand>),
    /// `MATCHES TERMINOLOGY(...)` without braces.
    Terminology(FunctionCall),
    /// `{terminology://...}`, as written.
    Uri(String),
    /// `{/regex/}`: the regex between the slashes.
    Regex(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Literal {
    /// A quoted string, decoded (escapes resolved).
    String(String),
    Integer(i64),
    /// A real as written (`130.0`, `-1.5`, `2e3`), so that no digit is lost.
    Real(String),
    /// A quoted ISO 8601 date (`'2019-10-24'`), time or date-time: typed by its shape.
    Date(String),
    Time(String),
    DateTime(String),
    Boolean(bool),
    Null,
}

/// `NAME(arg, ...)`: a built-in (`LENGTH`, `TERMINOLOGY`, ...) or another function.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct FunctionCall {
    /// Upper case for the built-ins of AQL 1.1, as written otherwise.
    pub name: String,
    pub args: Vec<Operand>,
}

/// `COUNT(*)`, `COUNT(DISTINCT path)`, `MAX(path)`, ...
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct AggregateCall {
    pub function: Aggregate,
    pub distinct: bool,
    /// `None` for `COUNT(*)`.
    pub argument: Option<IdentifiedPath>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Aggregate {
    Count,
    Min,
    Max,
    Sum,
    Avg,
}

impl Aggregate {
    pub fn as_str(self) -> &'static str {
        match self {
            Aggregate::Count => "COUNT",
            Aggregate::Min => "MIN",
            Aggregate::Max => "MAX",
            Aggregate::Sum => "SUM",
            Aggregate::Avg => "AVG",
        }
    }

    pub(super) fn from_name(name: &str) -> Option<Aggregate> {
        [Aggregate::Count, Aggregate::Min, Aggregate::Max, Aggregate::Sum, Aggregate::Avg]
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(name))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct OrderItem {
    pub path: IdentifiedPath,
    pub direction: Option<Direction>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify), tsify(missing_as_null))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Direction {
    Asc,
    Desc,
}

/// The built-in functions of AQL 1.1, written upper case in the tree whatever the input's case.
pub(super) const BUILT_IN_FUNCTIONS: &[&str] = &[
    "LENGTH",
    "CONTAINS",
    "POSITION",
    "SUBSTRING",
    "CONCAT",
    "CONCAT_WS",
    "ABS",
    "MOD",
    "CEIL",
    "FLOOR",
    "ROUND",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_DATE_TIME",
    "NOW",
    "CURRENT_TIMEZONE",
    "TERMINOLOGY",
];
