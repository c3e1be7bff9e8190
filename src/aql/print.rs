//! The pretty-printer: a [`Query`] as canonical AQL text on one line (upper-case keywords,
//! single-quoted strings, parentheses only where the tree needs them). Parsing the printed text
//! gives the same tree back; `tests/aql.rs` checks that for every fixture.

use super::ast::*;
use std::fmt::{self, Display, Formatter, Write};

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("SELECT ")?;
        if self.distinct {
            f.write_str("DISTINCT ")?;
        }
        if let Some(top) = &self.top {
            write!(f, "TOP {} ", top.count)?;
            match top.direction {
                Some(TopDirection::Forward) => f.write_str("FORWARD ")?,
                Some(TopDirection::Backward) => f.write_str("BACKWARD ")?,
                None => {}
            }
        }
        list(f, &self.select)?;
        write!(f, " FROM {}", self.from)?;
        if let Some(condition) = &self.where_ {
            write!(f, " WHERE {condition}")?;
        }
        if let Some(timewindow) = &self.timewindow {
            write!(f, " TIMEWINDOW {timewindow}")?;
        }
        if !self.order_by.is_empty() {
            f.write_str(" ORDER BY ")?;
            list(f, &self.order_by)?;
        }
        if let Some(limit) = self.limit {
            write!(f, " LIMIT {limit}")?;
        }
        if let Some(offset) = self.offset {
            write!(f, " OFFSET {offset}")?;
        }
        Ok(())
    }
}

/// Items joined by `, `.
fn list<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

/// Items joined by ` {op} `, each wrapped in parentheses when `needs_parens` says so.
fn joined<T: Display>(f: &mut Formatter<'_>, items: &[T], op: &str, needs_parens: impl Fn(&T) -> bool) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            write!(f, " {op} ")?;
        }
        if needs_parens(item) { write!(f, "({item})")? } else { write!(f, "{item}")? }
    }
    Ok(())
}

impl Display for SelectItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        if let Some(alias) = &self.alias {
            write!(f, " AS {alias}")?;
        }
        Ok(())
    }
}

impl Display for ColumnExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ColumnExpr::Path(p) => p.fmt(f),
            ColumnExpr::Literal(l) => l.fmt(f),
            ColumnExpr::Function(c) => c.fmt(f),
            ColumnExpr::Aggregate(a) => a.fmt(f),
        }
    }
}

impl Display for IdentifiedPath {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.variable)?;
        if let Some(p) = &self.predicate {
            write!(f, "[{p}]")?;
        }
        if !self.path.is_empty() {
            f.write_char('/')?;
            parts(f, &self.path)?;
        }
        Ok(())
    }
}

/// `a[p]/b/c`.
fn parts(f: &mut Formatter<'_>, path: &[PathPart]) -> fmt::Result {
    for (i, part) in path.iter().enumerate() {
        if i > 0 {
            f.write_char('/')?;
        }
        f.write_str(&part.attribute)?;
        if let Some(p) = &part.predicate {
            write!(f, "[{p}]")?;
        }
    }
    Ok(())
}

struct Parts<'a>(&'a [PathPart]);

impl Display for Parts<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        parts(f, self.0)
    }
}

impl Display for Predicate {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            // The predicate grammar has no parentheses; AND binds tighter than OR, and the parser
            // never puts an OR inside an AND, so none are needed.
            Predicate::And(items) => joined(f, items, "and", |_| false),
            Predicate::Or(items) => joined(f, items, "or", |_| false),
            Predicate::Node { node, name } => {
                match node {
                    NodeId::Code(c) | NodeId::Archetype(c) => f.write_str(c)?,
                }
                if let Some(name) = name {
                    write!(f, ", {name}")?;
                }
                Ok(())
            }
            Predicate::Parameter(p) => write!(f, "${p}"),
            Predicate::Comparison { path, op, value } => write!(f, "{}{}{value}", Parts(path), op.as_str()),
            Predicate::Matches { path, regex } => write!(f, "{} matches {{/{regex}/}}", Parts(path)),
            Predicate::LatestVersion => f.write_str("LATEST_VERSION"),
            Predicate::AllVersions => f.write_str("ALL_VERSIONS"),
        }
    }
}

impl Display for PredicateValue {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            PredicateValue::Literal(l) => l.fmt(f),
            PredicateValue::Parameter(p) => write!(f, "${p}"),
            PredicateValue::Path(p) => parts(f, p),
            PredicateValue::Code(c) | PredicateValue::TermCode(c) => f.write_str(c),
        }
    }
}

impl Display for ContainsExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_containment(f, self, true)
    }
}

/// `e` as FROM text, with parentheses only where the tree needs them: the printed text must never
/// nest deeper than the text it was parsed from, or a query just under [`MAX_DEPTH`](super::MAX_DEPTH)
/// would print to one the parser refuses. `open_end`: nothing follows `e` in its scope (the clause or
/// the parentheses around it), so a CONTAINS at its end may take in everything to its right, as
/// CONTAINS does in the AQL grammar.
fn write_containment(f: &mut Formatter<'_>, e: &ContainsExpr, open_end: bool) -> fmt::Result {
    match e {
        ContainsExpr::Class { class, contains } => {
            f.write_str(&class.class)?;
            if let Some(v) = &class.variable {
                write!(f, " {v}")?;
            }
            if let Some(p) = &class.predicate {
                write!(f, "[{p}]")?;
            }
            if let Some(c) = contains {
                f.write_str(if c.negated { " NOT CONTAINS " } else { " CONTAINS " })?;
                write_containment(f, &c.inner, open_end)?;
            }
            Ok(())
        }
        ContainsExpr::And(items) => write_operands(f, items, "AND", open_end),
        ContainsExpr::Or(items) => write_operands(f, items, "OR", open_end),
        ContainsExpr::NotContains(inner) => {
            f.write_str("NOT CONTAINS ")?;
            write_containment(f, inner, open_end)
        }
    }
}

/// The operands of an AND or OR list. One is bracketed when it is an OR inside an AND (AND binds
/// tighter), or when it ends in a CONTAINS and something follows it that the CONTAINS would take in.
fn write_operands(f: &mut Formatter<'_>, items: &[ContainsExpr], op: &str, open_end: bool) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            write!(f, " {op} ")?;
        }
        let item_open_end = open_end && i + 1 == items.len();
        let takes_in_what_follows =
            matches!(item, ContainsExpr::Class { contains: Some(_), .. } | ContainsExpr::NotContains(_));
        let bracket = (op == "AND" && matches!(item, ContainsExpr::Or(_))) || (takes_in_what_follows && !item_open_end);
        if bracket {
            f.write_char('(')?;
            write_containment(f, item, true)?;
            f.write_char(')')?;
        } else {
            write_containment(f, item, item_open_end)?;
        }
    }
    Ok(())
}

impl Display for Condition {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Condition::And(items) => joined(f, items, "AND", |c| matches!(c, Condition::Or(_))),
            Condition::Or(items) => joined(f, items, "OR", |c| matches!(c, Condition::Or(_))),
            // NOT applies to the condition right after it: only a list needs brackets (more would
            // nest the printed text deeper than the parsed one).
            Condition::Not(inner) => match **inner {
                Condition::And(_) | Condition::Or(_) => write!(f, "NOT ({inner})"),
                _ => write!(f, "NOT {inner}"),
            },
            Condition::Comparison { left, op, right } => write!(f, "{left} {} {right}", op.as_str()),
            Condition::Like { path, pattern } => write!(f, "{path} LIKE {pattern}"),
            Condition::Matches { path, operand } => write!(f, "{path} MATCHES {operand}"),
            Condition::Exists(path) => write!(f, "EXISTS {path}"),
        }
    }
}

impl Display for MatchesOperand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            MatchesOperand::List(items) => {
                f.write_char('{')?;
                list(f, items)?;
                f.write_char('}')
            }
            MatchesOperand::Terminology(call) => call.fmt(f),
            MatchesOperand::Uri(uri) => write!(f, "{{{uri}}}"),
            MatchesOperand::Regex(regex) => write!(f, "{{/{regex}/}}"),
        }
    }
}

impl Display for Operand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Literal(l) => l.fmt(f),
            Operand::Parameter(p) => write!(f, "${p}"),
            Operand::Path(p) => p.fmt(f),
            Operand::Function(c) => c.fmt(f),
        }
    }
}

impl Display for FunctionCall {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.name)?;
        list(f, &self.args)?;
        f.write_char(')')
    }
}

impl Display for AggregateCall {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.function.as_str())?;
        if self.distinct {
            f.write_str("DISTINCT ")?;
        }
        match &self.argument {
            Some(path) => write!(f, "{path}")?,
            None => f.write_char('*')?,
        }
        f.write_char(')')
    }
}

impl Display for OrderItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path)?;
        match self.direction {
            Some(Direction::Asc) => f.write_str(" ASC"),
            Some(Direction::Desc) => f.write_str(" DESC"),
            None => Ok(()),
        }
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::String(s) | Literal::Date(s) | Literal::Time(s) | Literal::DateTime(s) => quoted(f, s),
            Literal::Integer(i) => write!(f, "{i}"),
            Literal::Real(r) => f.write_str(r),
            Literal::Boolean(true) => f.write_str("true"),
            Literal::Boolean(false) => f.write_str("false"),
            Literal::Null => f.write_str("NULL"),
        }
    }
}

/// A single-quoted string with `\` escapes for the quote, the backslash and control characters.
fn quoted(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('\'')?;
    for c in s.chars() {
        match c {
            '\'' => f.write_str("\\'")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c.is_control() => write!(f, "\\u{:04x}", u32::from(c))?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('\'')
}
