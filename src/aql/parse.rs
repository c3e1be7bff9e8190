//! Recursive descent over the tokens of [`super::lex`], one token of lookahead.
//!
//! Error recovery is per clause: the first syntax error in a clause is reported, the rest of
//! the clause is skipped up to the next clause keyword (FROM, WHERE, ORDER, LIMIT, ...) and
//! parsing resumes there, so one pass reports one error per broken clause without cascades.
//! Recursion is bounded by [`MAX_DEPTH`]; past it the parser stops with `AQL004`.

use super::ast::*;
use super::lex::{Kw, Lexer, TokKind, Token};
use crate::diagnostic::Code;
use crate::ident::{ArchetypeHrid, check_archetype_id_14};
use crate::sink::Sink;

/// How deeply brackets, parentheses, `NOT`s, `CONTAINS` and function calls may nest. Real queries
/// nest a handful of levels; the limit keeps the recursion (and the tree's drop) far from the stack's end.
pub const MAX_DEPTH: usize = 64;

/// What the semantic checks need, with byte offsets: collected while parsing because the tree
/// itself keeps no positions.
#[derive(Default)]
pub(super) struct Facts {
    /// Variables defined in FROM.
    pub(super) defined: Vec<(String, usize)>,
    /// Variables used at the start of a path in SELECT, WHERE or ORDER BY.
    pub(super) used: Vec<Use>,
    pub(super) aliases: Vec<(String, usize)>,
    /// Parameter names without `$`, each once, in order of first use.
    pub(super) parameters: Vec<String>,
    /// The FROM clause parsed completely: only then can a use be called undefined.
    pub(super) from_complete: bool,
}

/// One variable use, with its clause and whether the path is the bare name (which ORDER BY may
/// use to name a SELECT alias).
pub(super) struct Use {
    pub(super) name: String,
    pub(super) offset: usize,
    pub(super) clause: &'static str,
    pub(super) bare: bool,
}

/// A syntax error was reported; the caller recovers (or gives up).
pub(super) struct Stop;

type PResult<T> = Result<T, Stop>;

pub(super) struct Parser<'a> {
    src: &'a str,
    lex: Lexer<'a>,
    tok: Token,
    /// End of the last consumed token: where "found the end of the query" is reported.
    prev_end: usize,
    pub(super) sink: Sink<'a>,
    depth: usize,
    clause: &'static str,
    pub(super) facts: Facts,
    syntax_errors: bool,
    aborted: bool,
    skipping: bool,
}

impl<'a> Parser<'a> {
    pub(super) fn new(src: &'a str) -> Self {
        let mut lex = Lexer::new(src);
        let tok = lex.next_token();
        let mut parser = Parser {
            src,
            lex,
            tok,
            prev_end: 0,
            sink: Sink::new(src),
            depth: 0,
            clause: "",
            facts: Facts::default(),
            syntax_errors: false,
            aborted: false,
            skipping: false,
        };
        parser.flush_lexer();
        parser
    }

    // ----- token plumbing -----

    fn flush_lexer(&mut self) {
        for (code, message, offset) in std::mem::take(&mut self.lex.errors) {
            self.syntax_errors = true;
            let echo = self.skipping && code == Code::AqlBadToken;
            if !self.aborted && !echo {
                self.sink.report(code, message, offset, self.clause);
            }
        }
    }

    fn advance(&mut self) -> Token {
        let t = self.tok;
        self.prev_end = t.end;
        self.tok = self.lex.next_token();
        self.flush_lexer();
        t
    }

    fn text(&self, t: Token) -> &'a str {
        &self.src[t.start..t.end]
    }

    fn at_kw(&self, kw: Kw) -> bool {
        self.tok.kind == TokKind::Keyword(kw)
    }

    fn eat_kw(&mut self, kw: Kw) -> bool {
        let found = self.at_kw(kw);
        if found {
            self.advance();
        }
        found
    }

    fn eat(&mut self, kind: TokKind) -> Option<Token> {
        (self.tok.kind == kind).then(|| self.advance())
    }

    /// At the end or at a keyword that starts a clause: a clause has run out.
    fn at_boundary(&self) -> bool {
        match self.tok.kind {
            TokKind::Eof | TokKind::Semicolon => true,
            TokKind::Keyword(kw) => kw.starts_clause(),
            _ => false,
        }
    }

    fn offset_of(&self, t: Token) -> usize {
        if t.kind == TokKind::Eof { self.prev_end } else { t.start }
    }

    /// How an error message names a token.
    fn describe(&self, t: Token) -> String {
        match t.kind {
            TokKind::Eof => "the end of the query".to_string(),
            TokKind::Keyword(kw) => kw.as_str().to_string(),
            TokKind::Str => "a string".to_string(),
            _ => format!("`{}`", self.text(t)),
        }
    }

    fn error_at(&mut self, code: Code, message: impl Into<String>, offset: usize) -> Stop {
        self.syntax_errors = true;
        if !self.aborted {
            self.sink.report(code, message, offset, self.clause);
        }
        Stop
    }

    /// `expected {what}, found {the current token}` at the current token (`AQL001`). A lexical
    /// error token was reported by the lexer already and is not reported again.
    fn expected(&mut self, what: &str) -> Stop {
        if self.tok.kind == TokKind::Error {
            self.syntax_errors = true;
            return Stop;
        }
        let message = format!("expected {what}, found {}", self.describe(self.tok));
        self.error_at(Code::AqlSyntax, message, self.offset_of(self.tok))
    }

    /// Expects the closer of `open`: a missing one is `AQL003` at the opener when the query or the
    /// clause ran out, else `AQL001` at the unexpected token.
    fn close(&mut self, open: Token, closer: TokKind, what: &str) -> PResult<()> {
        if self.eat(closer).is_some() {
            return Ok(());
        }
        let (o, c) = match closer {
            TokKind::RBracket => ("[", "]"),
            TokKind::RParen => ("(", ")"),
            _ => ("{", "}"),
        };
        if self.tok.kind != TokKind::Error && (self.at_boundary() || self.at_kw(Kw::Contains)) {
            let message = format!("the `{o}` is not closed: expected `{c}`, found {}", self.describe(self.tok));
            return Err(self.error_at(Code::AqlUnclosed, message, open.start));
        }
        let what = if what.is_empty() { format!("`{c}`") } else { format!("{what} or `{c}`") };
        Err(self.expected(&what))
    }

    fn enter(&mut self) -> PResult<()> {
        if self.depth >= MAX_DEPTH {
            if !self.aborted {
                let message = format!("the query nests deeper than {MAX_DEPTH} levels; parsing stopped here");
                self.sink.report(Code::AqlLimitExceeded, message, self.offset_of(self.tok), self.clause);
            }
            self.aborted = true;
            self.syntax_errors = true;
            return Err(Stop);
        }
        self.depth += 1;
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Runs `f` one nesting level deeper.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        self.enter()?;
        let result = f(self);
        self.leave();
        result
    }

    /// Skips the rest of a broken clause. Stray characters in the skipped text are not reported
    /// (they would only echo the error already given); an unclosed string still is, as it hides
    /// everything after it.
    fn skip_to_clause(&mut self) {
        self.skipping = true;
        while !self.at_boundary() {
            self.advance();
        }
        self.skipping = false;
    }

    /// Runs a clause parser; after an error skips to the next clause keyword.
    fn clause<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> Option<T> {
        match f(self) {
            Ok(v) => Some(v),
            Err(Stop) => {
                if !self.aborted {
                    self.skip_to_clause();
                }
                None
            }
        }
    }

    fn legacy(&mut self, message: &str, offset: usize) {
        if !self.aborted {
            self.sink.report(Code::AqlLegacy, message, offset, self.clause);
        }
    }

    fn add_parameter(&mut self, t: Token) -> String {
        let name = self.text(t)[1..].to_string();
        if !self.facts.parameters.contains(&name) {
            self.facts.parameters.push(name.clone());
        }
        name
    }

    // ----- the query -----

    /// The whole query; `None` when it has a syntax error.
    pub(super) fn query(&mut self) -> Option<Query> {
        if !self.at_kw(Kw::Select) {
            let message = if self.tok.kind == TokKind::Eof {
                "the query is empty: expected SELECT".to_string()
            } else {
                format!("a query starts with SELECT, found {}", self.describe(self.tok))
            };
            if self.tok.kind != TokKind::Error {
                self.error_at(Code::AqlMissingClause, message, self.offset_of(self.tok));
            }
            return None;
        }
        // The clause is set before the keyword is consumed: consuming it lexes the next token,
        // whose lexical error belongs to this clause.
        self.clause = "/select";
        self.advance();
        let select = self.clause(Self::select_clause);
        if self.aborted {
            return None;
        }
        if !self.at_kw(Kw::From) && select.is_some() {
            if self.at_boundary() {
                let message = format!("expected FROM after the SELECT list, found {}", self.describe(self.tok));
                self.error_at(Code::AqlMissingClause, message, self.offset_of(self.tok));
            } else {
                self.expected("`,` or FROM after the column");
                self.skip_to_clause();
            }
        }
        let mut from = None;
        if self.at_kw(Kw::From) {
            self.clause = "/from";
            self.advance();
            from = self.clause(|p| p.contains_or("a class such as EHR or COMPOSITION after FROM"));
            self.facts.from_complete = from.is_some();
        }
        let tail = self.tail();
        if self.syntax_errors || self.aborted {
            return None;
        }
        let ((distinct, top, select), from) = (select?, from?);
        Some(Query {
            distinct,
            top,
            select,
            from,
            where_: tail.where_,
            timewindow: tail.timewindow,
            order_by: tail.order_by,
            limit: tail.limit,
            offset: tail.offset,
        })
    }

    fn select_clause(&mut self) -> PResult<(bool, Option<Top>, Vec<SelectItem>)> {
        let mut distinct = self.eat_kw(Kw::Distinct);
        let top = if self.at_kw(Kw::Top) { Some(self.top()?) } else { None };
        // `TOP n DISTINCT` is read as `DISTINCT TOP n`.
        distinct |= self.eat_kw(Kw::Distinct);
        let mut items = Vec::new();
        loop {
            let what = if items.is_empty() { "a column after SELECT" } else { "a column after `,`" };
            items.push(self.select_item(what)?);
            let Some(comma) = self.eat(TokKind::Comma) else { break };
            if self.at_boundary() {
                let message =
                    format!("trailing comma: expected another column after `,`, found {}", self.describe(self.tok));
                return Err(self.error_at(Code::AqlSyntax, message, comma.start));
            }
        }
        Ok((distinct, top, items))
    }

    fn top(&mut self) -> PResult<Top> {
        self.advance();
        let count = self.unsigned("TOP")?;
        let direction = if self.eat_kw(Kw::Forward) {
            Some(TopDirection::Forward)
        } else if self.eat_kw(Kw::Backward) {
            Some(TopDirection::Backward)
        } else {
            None
        };
        Ok(Top { count, direction })
    }

    /// The non-negative integer after LIMIT, OFFSET or TOP (`AQL007` otherwise).
    fn unsigned(&mut self, after: &str) -> PResult<u64> {
        if self.tok.kind == TokKind::Int {
            let t = self.advance();
            return self.text(t).parse::<u64>().map_err(|_| {
                let message = format!("the number after {after} is too large");
                self.error_at(Code::AqlBadNumber, message, t.start)
            });
        }
        if self.tok.kind == TokKind::Error {
            return Err(self.expected(""));
        }
        let message = format!("{after} needs a non-negative integer, found {}", self.describe(self.tok));
        Err(self.error_at(Code::AqlBadNumber, message, self.offset_of(self.tok)))
    }

    fn select_item(&mut self, what: &str) -> PResult<SelectItem> {
        let expr = self.column(what)?;
        let mut alias = None;
        if self.eat_kw(Kw::As) {
            let t = self.tok;
            let ok = match t.kind {
                TokKind::Word | TokKind::Code => true,
                TokKind::Keyword(kw) => !kw.starts_clause(),
                _ => false,
            };
            if !ok {
                return Err(self.expected("an alias after AS"));
            }
            self.advance();
            let name = self.text(t).to_string();
            self.facts.aliases.push((name.clone(), t.start));
            alias = Some(name);
        }
        Ok(SelectItem { expr, alias })
    }

    fn column(&mut self, what: &str) -> PResult<ColumnExpr> {
        match self.tok.kind {
            TokKind::Word | TokKind::Code | TokKind::Keyword(Kw::Contains) => {
                let name = self.advance();
                if self.tok.kind != TokKind::LParen {
                    return self.path_from(name).map(ColumnExpr::Path);
                }
                match Aggregate::from_name(self.text(name)) {
                    Some(function) => self.aggregate(function).map(ColumnExpr::Aggregate),
                    None => self.function(name).map(ColumnExpr::Function),
                }
            }
            _ if self.at_literal() => self.literal().map(ColumnExpr::Literal),
            _ => Err(self.expected(&format!("{what} (a path, a literal or a function call)"))),
        }
    }

    // ----- paths and predicates -----

    /// A path starting at the variable `var` (already consumed), which counts as a use.
    fn path_from(&mut self, var: Token) -> PResult<IdentifiedPath> {
        if var.kind == TokKind::Keyword(Kw::Contains) {
            return Err(self.error_at(Code::AqlSyntax, "expected `(` after the function name CONTAINS", var.end));
        }
        let variable = self.text(var).to_string();
        let use_at = self.facts.used.len();
        self.facts.used.push(Use { name: variable.clone(), offset: var.start, clause: self.clause, bare: false });
        let predicate = if self.tok.kind == TokKind::LBracket { Some(self.bracket_predicate()?) } else { None };
        let path = if self.eat(TokKind::Slash).is_some() {
            self.object_path("an attribute name after `/`")?
        } else {
            Vec::new()
        };
        if let Some(used) = self.facts.used.get_mut(use_at) {
            used.bare = predicate.is_none() && path.is_empty();
        }
        Ok(IdentifiedPath { variable, predicate, path })
    }

    /// `attribute[predicate]/attribute...` (at least one part).
    fn object_path(&mut self, what: &str) -> PResult<Vec<PathPart>> {
        let mut parts = Vec::new();
        loop {
            let ok = match self.tok.kind {
                TokKind::Word | TokKind::Code => true,
                TokKind::Keyword(kw) => !kw.starts_clause(),
                _ => false,
            };
            if !ok {
                let what = if parts.is_empty() { what } else { "an attribute name after `/`" };
                return Err(self.expected(what));
            }
            let t = self.advance();
            let predicate = if self.tok.kind == TokKind::LBracket { Some(self.bracket_predicate()?) } else { None };
            parts.push(PathPart { attribute: self.text(t).to_string(), predicate });
            if self.eat(TokKind::Slash).is_none() {
                return Ok(parts);
            }
        }
    }

    fn bracket_predicate(&mut self) -> PResult<Predicate> {
        let open = self.advance();
        let predicate = self.nested(Self::predicate_or)?;
        self.close(open, TokKind::RBracket, "AND, OR")?;
        Ok(predicate)
    }

    fn predicate_or(&mut self) -> PResult<Predicate> {
        let mut items = vec![self.predicate_and()?];
        while self.eat_kw(Kw::Or) {
            items.push(self.predicate_and()?);
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Predicate::Or(items) })
    }

    fn predicate_and(&mut self) -> PResult<Predicate> {
        let mut items = vec![self.predicate_term()?];
        while self.eat_kw(Kw::And) {
            items.push(self.predicate_term()?);
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Predicate::And(items) })
    }

    fn predicate_term(&mut self) -> PResult<Predicate> {
        match self.tok.kind {
            TokKind::Code => {
                let t = self.advance();
                let name = self.node_name()?;
                Ok(Predicate::Node { node: NodeId::Code(self.text(t).to_string()), name })
            }
            TokKind::ArchetypeId => {
                let t = self.advance();
                self.check_archetype_id(t);
                let name = self.node_name()?;
                Ok(Predicate::Node { node: NodeId::Archetype(self.text(t).to_string()), name })
            }
            TokKind::Param => {
                let t = self.advance();
                Ok(Predicate::Parameter(self.add_parameter(t)))
            }
            TokKind::Keyword(Kw::LatestVersion) => {
                self.advance();
                Ok(Predicate::LatestVersion)
            }
            TokKind::Keyword(Kw::AllVersions) => {
                self.advance();
                Ok(Predicate::AllVersions)
            }
            TokKind::Word => {
                let path = self.object_path("")?;
                if let TokKind::Cmp(op) = self.tok.kind {
                    self.advance();
                    let value = self.predicate_value(&format!("a value after `{}`", op.as_str()))?;
                    return Ok(Predicate::Comparison { path, op, value });
                }
                if self.at_kw(Kw::Matches) {
                    self.advance();
                    let regex = self.regex()?;
                    return Ok(Predicate::Matches { path, regex });
                }
                Err(self.expected("a comparison operator (=, !=, <, <=, >, >=) or MATCHES after the path"))
            }
            _ => Err(self.expected(
                "a predicate (an archetype id, a node code such as at0001, a $parameter or a path comparison)",
            )),
        }
    }

    /// The optional `, name` after a node code or archetype id.
    fn node_name(&mut self) -> PResult<Option<PredicateValue>> {
        if self.eat(TokKind::Comma).is_none() {
            return Ok(None);
        }
        let value = match self.tok.kind {
            TokKind::Str => {
                let t = self.advance();
                PredicateValue::Literal(Literal::String(decode_string(self.text(t))))
            }
            TokKind::Param => {
                let t = self.advance();
                PredicateValue::Parameter(self.add_parameter(t))
            }
            TokKind::TermCode => PredicateValue::TermCode(self.advance_text()),
            TokKind::Code => PredicateValue::Code(self.advance_text()),
            _ => return Err(self.expected("a name (a string, a $parameter or a code) after `,`")),
        };
        Ok(Some(value))
    }

    fn advance_text(&mut self) -> String {
        let t = self.advance();
        self.text(t).to_string()
    }

    fn predicate_value(&mut self, what: &str) -> PResult<PredicateValue> {
        match self.tok.kind {
            TokKind::Param => {
                let t = self.advance();
                Ok(PredicateValue::Parameter(self.add_parameter(t)))
            }
            TokKind::Code => Ok(PredicateValue::Code(self.advance_text())),
            TokKind::TermCode => Ok(PredicateValue::TermCode(self.advance_text())),
            TokKind::Word => self.object_path(what).map(PredicateValue::Path),
            _ if self.at_literal() => self.literal().map(PredicateValue::Literal),
            _ => Err(self.expected(what)),
        }
    }

    /// `{/regex/}` after MATCHES in a predicate: read raw, as the regex may hold any character.
    fn regex(&mut self) -> PResult<String> {
        if self.tok.kind != TokKind::LBrace {
            return Err(self.expected("`{/regex/}` after MATCHES"));
        }
        let (start, end) = self.raw_braced()?;
        let body = self.src[start..end].trim();
        match body.strip_prefix('/').and_then(|b| b.strip_suffix('/')) {
            Some(regex) if !regex.is_empty() => Ok(regex.to_string()),
            _ => Err(self.error_at(Code::AqlSyntax, "expected a regex between slashes: `{/regex/}`", start)),
        }
    }

    /// With `{` as the current token, reads the raw text up to `}` and continues after it.
    fn raw_braced(&mut self) -> PResult<(usize, usize)> {
        let open = self.tok;
        match self.lex.raw_until_brace() {
            Some((start, end)) => {
                self.lex.pos = end + 1;
                self.tok = Token { kind: TokKind::RBrace, start: end, end: end + 1 };
                self.advance();
                Ok((start, end))
            }
            None => Err(self.error_at(Code::AqlUnclosed, "the `{` is not closed: expected `}`", open.start)),
        }
    }

    /// An archetype id must be an ADL 1.4 id or an ADL 2 reference (`AQL013`, a semantic error:
    /// the query still parses).
    fn check_archetype_id(&mut self, t: Token) {
        let id = self.text(t);
        let Err(d) = check_archetype_id_14(id) else { return };
        if ArchetypeHrid::parse_reference(id).is_ok() {
            return;
        }
        let column = usize::try_from(d.column.saturating_sub(1)).unwrap_or(0);
        let offset = t.start + id.char_indices().nth(column).map_or(id.len(), |(i, _)| i);
        let message = format!("`{id}` is not a valid archetype id: {}", d.message);
        if !self.aborted {
            self.sink.report(Code::AqlInvalidArchetypeId, message, offset, self.clause);
        }
    }

    // ----- FROM -----

    fn contains_or(&mut self, what: &str) -> PResult<ContainsExpr> {
        self.nested(|p| {
            let mut items = vec![p.contains_and(what)?];
            while p.eat_kw(Kw::Or) {
                items.push(p.contains_and("a class after OR")?);
            }
            Ok(flatten(items, ContainsExpr::Or, |e| match e {
                ContainsExpr::Or(v) => Some(std::mem::take(v)),
                _ => None,
            }))
        })
    }

    fn contains_and(&mut self, what: &str) -> PResult<ContainsExpr> {
        let mut items = vec![self.contains_operand(what)?];
        while self.eat_kw(Kw::And) {
            items.push(self.contains_operand("a class after AND")?);
        }
        Ok(flatten(items, ContainsExpr::And, |e| match e {
            ContainsExpr::And(v) => Some(std::mem::take(v)),
            _ => None,
        }))
    }

    fn contains_operand(&mut self, what: &str) -> PResult<ContainsExpr> {
        match self.tok.kind {
            TokKind::LParen => {
                let open = self.advance();
                let inner = self.contains_or("a class after `(`")?;
                self.close(open, TokKind::RParen, "CONTAINS, AND, OR")?;
                Ok(inner)
            }
            TokKind::Keyword(Kw::Not) => {
                let not = self.advance();
                if !self.eat_kw(Kw::Contains) {
                    return Err(self.expected("CONTAINS after NOT"));
                }
                self.legacy("`NOT CONTAINS` without a class before it is legacy syntax, not AQL 1.1", not.start);
                let inner = self.contains_or("a class after CONTAINS")?;
                Ok(ContainsExpr::NotContains(Box::new(inner)))
            }
            TokKind::Word | TokKind::Keyword(Kw::Version) => {
                let class = self.class_expr()?;
                let negated = if self.at_kw(Kw::Not) {
                    self.advance();
                    if !self.at_kw(Kw::Contains) {
                        return Err(self.expected("CONTAINS after NOT"));
                    }
                    true
                } else {
                    false
                };
                if !self.eat_kw(Kw::Contains) {
                    return Ok(ContainsExpr::Class { class, contains: None });
                }
                let inner = self.contains_or("a class after CONTAINS")?;
                Ok(ContainsExpr::Class { class, contains: Some(Box::new(Containment { negated, inner })) })
            }
            _ => Err(self.expected(what)),
        }
    }

    fn class_expr(&mut self) -> PResult<ClassExpr> {
        let t = self.advance();
        let class =
            if t.kind == TokKind::Keyword(Kw::Version) { "VERSION".to_string() } else { self.text(t).to_string() };
        let variable = match self.tok.kind {
            TokKind::Word | TokKind::Code => {
                let v = self.advance();
                let name = self.text(v).to_string();
                self.facts.defined.push((name.clone(), v.start));
                Some(name)
            }
            _ => None,
        };
        let predicate = if self.tok.kind == TokKind::LBracket { Some(self.bracket_predicate()?) } else { None };
        Ok(ClassExpr { class, variable, predicate })
    }

    // ----- WHERE -----

    fn condition(&mut self, what: &str) -> PResult<Condition> {
        self.nested(|p| {
            let mut items = vec![p.condition_and(what)?];
            while p.eat_kw(Kw::Or) {
                items.push(p.condition_and("a condition after OR")?);
            }
            Ok(flatten(items, Condition::Or, |c| match c {
                Condition::Or(v) => Some(std::mem::take(v)),
                _ => None,
            }))
        })
    }

    fn condition_and(&mut self, what: &str) -> PResult<Condition> {
        let mut items = vec![self.condition_not(what)?];
        while self.eat_kw(Kw::And) {
            items.push(self.condition_not("a condition after AND")?);
        }
        Ok(flatten(items, Condition::And, |c| match c {
            Condition::And(v) => Some(std::mem::take(v)),
            _ => None,
        }))
    }

    fn condition_not(&mut self, what: &str) -> PResult<Condition> {
        if self.eat_kw(Kw::Not) {
            let inner = self.nested(|p| p.condition_not("a condition after NOT"))?;
            return Ok(Condition::Not(Box::new(inner)));
        }
        self.condition_primary(what)
    }

    fn condition_primary(&mut self, what: &str) -> PResult<Condition> {
        match self.tok.kind {
            TokKind::LParen => {
                let open = self.advance();
                let inner = self.condition("a condition after `(`")?;
                self.close(open, TokKind::RParen, "AND, OR")?;
                Ok(inner)
            }
            TokKind::Keyword(Kw::Exists) => {
                self.advance();
                if !matches!(self.tok.kind, TokKind::Word | TokKind::Code) {
                    return Err(self.expected("a path after EXISTS"));
                }
                let var = self.advance();
                self.path_from(var).map(Condition::Exists)
            }
            _ if self.at_operand() => {
                let left = self.operand(what)?;
                self.condition_rest(left)
            }
            _ => Err(self.expected(what)),
        }
    }

    /// What follows the left operand: a comparison, LIKE or MATCHES.
    fn condition_rest(&mut self, left: Operand) -> PResult<Condition> {
        match self.tok.kind {
            TokKind::Cmp(op) => {
                self.advance();
                let right = self.operand(&format!("a value after `{}`", op.as_str()))?;
                Ok(Condition::Comparison { left, op, right })
            }
            TokKind::Keyword(kw @ (Kw::Like | Kw::Matches)) => {
                let Operand::Path(path) = left else {
                    let message = format!("{} needs a path on its left", kw.as_str());
                    return Err(self.error_at(Code::AqlSyntax, message, self.tok.start));
                };
                self.advance();
                if kw == Kw::Like {
                    let pattern = match self.tok.kind {
                        TokKind::Str | TokKind::Param => self.operand("")?,
                        _ => return Err(self.expected("a string or a $parameter after LIKE")),
                    };
                    return Ok(Condition::Like { path, pattern });
                }
                let operand = self.matches_operand()?;
                Ok(Condition::Matches { path, operand })
            }
            _ => Err(self.expected("a comparison operator (=, !=, <, <=, >, >=), LIKE or MATCHES")),
        }
    }

    fn matches_operand(&mut self) -> PResult<MatchesOperand> {
        if self.tok.kind == TokKind::Word && self.text(self.tok).eq_ignore_ascii_case("TERMINOLOGY") {
            let name = self.advance();
            if self.tok.kind != TokKind::LParen {
                return Err(self.expected("`(` after TERMINOLOGY"));
            }
            return self.function(name).map(MatchesOperand::Terminology);
        }
        if self.tok.kind != TokKind::LBrace {
            return Err(self.expected("`{` or TERMINOLOGY(...) after MATCHES"));
        }
        if self.lex.rest_trimmed().starts_with('/') {
            return self.regex().map(MatchesOperand::Regex);
        }
        if looks_like_uri(self.lex.rest_trimmed()) {
            let (start, end) = self.raw_braced()?;
            return Ok(MatchesOperand::Uri(self.src[start..end].trim().to_string()));
        }
        let open = self.advance();
        let mut items = Vec::new();
        self.nested(|p| {
            loop {
                items.push(p.operand("a value in the MATCHES list")?);
                if p.eat(TokKind::Comma).is_none() {
                    return Ok(());
                }
            }
        })?;
        self.close(open, TokKind::RBrace, "`,`")?;
        Ok(MatchesOperand::List(items))
    }

    // ----- operands, functions, literals -----

    fn at_operand(&self) -> bool {
        matches!(self.tok.kind, TokKind::Word | TokKind::Code | TokKind::Param | TokKind::Keyword(Kw::Contains))
            || self.at_literal()
    }

    fn operand(&mut self, what: &str) -> PResult<Operand> {
        match self.tok.kind {
            TokKind::Param => {
                let t = self.advance();
                Ok(Operand::Parameter(self.add_parameter(t)))
            }
            TokKind::Word | TokKind::Code | TokKind::Keyword(Kw::Contains) => {
                let name = self.advance();
                if self.tok.kind == TokKind::LParen {
                    self.function(name).map(Operand::Function)
                } else {
                    self.path_from(name).map(Operand::Path)
                }
            }
            _ if self.at_literal() => self.literal().map(Operand::Literal),
            _ => Err(self.expected(what)),
        }
    }

    /// `name(args)` with `(` as the current token.
    fn function(&mut self, name: Token) -> PResult<FunctionCall> {
        let open = self.advance();
        let written = self.text(name);
        let name = match super::ast::BUILT_IN_FUNCTIONS.iter().find(|f| f.eq_ignore_ascii_case(written)) {
            Some(f) => (*f).to_string(),
            None => written.to_string(),
        };
        let mut args = Vec::new();
        if self.tok.kind != TokKind::RParen {
            self.nested(|p| {
                loop {
                    args.push(p.operand("an argument")?);
                    if p.eat(TokKind::Comma).is_none() {
                        return Ok(());
                    }
                }
            })?;
        }
        self.close(open, TokKind::RParen, "`,`")?;
        Ok(FunctionCall { name, args })
    }

    fn aggregate(&mut self, function: Aggregate) -> PResult<AggregateCall> {
        let open = self.advance();
        let mut distinct = false;
        let argument = if function == Aggregate::Count && self.eat(TokKind::Star).is_some() {
            None
        } else {
            distinct = self.eat_kw(Kw::Distinct);
            if !matches!(self.tok.kind, TokKind::Word | TokKind::Code) {
                let what = if function == Aggregate::Count { "a path or `*`" } else { "a path" };
                return Err(self.expected(&format!("{what} in {}(...)", function.as_str())));
            }
            let var = self.advance();
            Some(self.path_from(var)?)
        };
        self.close(open, TokKind::RParen, "")?;
        Ok(AggregateCall { function, distinct, argument })
    }

    fn at_literal(&self) -> bool {
        matches!(
            self.tok.kind,
            TokKind::Str
                | TokKind::Int
                | TokKind::Real
                | TokKind::Minus
                | TokKind::Keyword(Kw::True | Kw::False | Kw::Null)
        )
    }

    fn literal(&mut self) -> PResult<Literal> {
        let mut negative = false;
        while let Some(_minus) = self.eat(TokKind::Minus) {
            negative = !negative;
        }
        let t = self.tok;
        if negative && !matches!(t.kind, TokKind::Int | TokKind::Real) {
            return Err(self.expected("a number after `-`"));
        }
        let literal = match t.kind {
            TokKind::Int => {
                self.advance();
                let digits = self.text(t);
                let value = digits.parse::<i128>().ok().map(|v| if negative { -v } else { v });
                match value.and_then(|v| i64::try_from(v).ok()) {
                    Some(v) => Literal::Integer(v),
                    None => {
                        let message = format!("the integer {digits} does not fit in 64 bits");
                        return Err(self.error_at(Code::AqlBadNumber, message, t.start));
                    }
                }
            }
            TokKind::Real => {
                self.advance();
                let text = self.text(t);
                Literal::Real(if negative { format!("-{text}") } else { text.to_string() })
            }
            TokKind::Str => {
                self.advance();
                classify(decode_string(self.text(t)))
            }
            TokKind::Keyword(Kw::True) => {
                self.advance();
                Literal::Boolean(true)
            }
            TokKind::Keyword(Kw::False) => {
                self.advance();
                Literal::Boolean(false)
            }
            TokKind::Keyword(Kw::Null) => {
                self.advance();
                Literal::Null
            }
            _ => return Err(self.expected("a literal")),
        };
        Ok(literal)
    }

    // ----- after FROM -----

    fn tail(&mut self) -> Tail {
        let mut tail = Tail::default();
        let (mut where_done, mut order_done, mut limit_done) = (false, false, false);
        loop {
            let t = self.tok;
            match t.kind {
                TokKind::Eof => return tail,
                _ if self.aborted => return tail,
                TokKind::Semicolon => {
                    self.advance();
                    if self.tok.kind == TokKind::Eof {
                        self.legacy("a trailing `;` is not part of AQL", t.start);
                    } else {
                        self.error_at(Code::AqlBadToken, "`;` may only end the query", t.start);
                        self.skip_to_clause();
                    }
                }
                TokKind::Keyword(Kw::Where) if !(where_done || order_done || limit_done) => {
                    self.clause = "/where";
                    self.advance();
                    tail.where_ = self.clause(|p| p.condition("a condition after WHERE"));
                    where_done = true;
                }
                TokKind::Keyword(Kw::Order) if !order_done => {
                    self.clause = "/order_by";
                    self.advance();
                    if limit_done {
                        self.legacy("ORDER BY after LIMIT is legacy syntax: AQL 1.1 puts ORDER BY first", t.start);
                    }
                    tail.order_by = self.clause(Self::order_by).unwrap_or_default();
                    order_done = true;
                }
                TokKind::Keyword(Kw::Limit) if !limit_done => {
                    self.clause = "/limit";
                    self.advance();
                    if let Some((limit, offset)) = self.clause(Self::limit) {
                        tail.limit = Some(limit);
                        tail.offset = offset;
                    }
                    limit_done = true;
                }
                TokKind::Keyword(Kw::Timewindow) if tail.timewindow.is_none() => {
                    self.clause = "/timewindow";
                    self.legacy("TIMEWINDOW is legacy syntax, not AQL 1.1", t.start);
                    let (start, end) = self.lex.raw_word();
                    self.tok = Token { kind: TokKind::Word, start, end };
                    self.advance();
                    if start == end {
                        self.error_at(Code::AqlSyntax, "expected an ISO 8601 interval after TIMEWINDOW", start);
                    } else {
                        tail.timewindow = Some(self.src[start..end].to_string());
                    }
                }
                _ => {
                    let message = match t.kind {
                        TokKind::Keyword(kw @ (Kw::Where | Kw::Order | Kw::Limit | Kw::Timewindow | Kw::From)) => {
                            format!(
                                "{} is out of place or repeated (clauses go FROM, WHERE, ORDER BY, LIMIT)",
                                kw.as_str()
                            )
                        }
                        TokKind::Keyword(Kw::Offset) => "OFFSET must follow LIMIT n".to_string(),
                        _ => format!(
                            "expected WHERE, ORDER BY, LIMIT or the end of the query, found {}",
                            self.describe(t)
                        ),
                    };
                    if t.kind != TokKind::Error {
                        self.error_at(Code::AqlSyntax, message, t.start);
                    }
                    self.advance();
                    self.skip_to_clause();
                }
            }
        }
    }

    fn order_by(&mut self) -> PResult<Vec<OrderItem>> {
        if !self.eat_kw(Kw::By) {
            return Err(self.expected("BY after ORDER"));
        }
        let mut items = Vec::new();
        loop {
            if !matches!(self.tok.kind, TokKind::Word | TokKind::Code) {
                return Err(self.expected("a path to order by"));
            }
            let var = self.advance();
            let path = self.path_from(var)?;
            let direction = match self.tok.kind {
                TokKind::Keyword(Kw::Asc | Kw::Ascending) => Some(Direction::Asc),
                TokKind::Keyword(Kw::Desc | Kw::Descending) => Some(Direction::Desc),
                _ => None,
            };
            if direction.is_some() {
                self.advance();
            }
            items.push(OrderItem { path, direction });
            if self.eat(TokKind::Comma).is_none() {
                return Ok(items);
            }
        }
    }

    fn limit(&mut self) -> PResult<(u64, Option<u64>)> {
        let limit = self.unsigned("LIMIT")?;
        let offset = if self.eat_kw(Kw::Offset) { Some(self.unsigned("OFFSET")?) } else { None };
        Ok((limit, offset))
    }
}

#[derive(Default)]
struct Tail {
    where_: Option<Condition>,
    timewindow: Option<String>,
    order_by: Vec<OrderItem>,
    limit: Option<u64>,
    offset: Option<u64>,
}

/// One item stays itself; several become `make(items)`, with nested lists of the same operator
/// (from parentheses) merged so that the tree does not depend on redundant parentheses.
fn flatten<T>(items: Vec<T>, make: fn(Vec<T>) -> T, same_list: fn(&mut T) -> Option<Vec<T>>) -> T {
    if items.len() == 1 {
        return items.into_iter().next().unwrap_or_else(|| make(Vec::new()));
    }
    let mut flat = Vec::with_capacity(items.len());
    for mut item in items {
        match same_list(&mut item) {
            Some(inner) => flat.extend(inner),
            None => flat.push(item),
        }
    }
    make(flat)
}

/// `scheme:` at the start (not `::`): a `{URI}` operand.
fn looks_like_uri(rest: &str) -> bool {
    let scheme_len = rest.bytes().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')).count();
    scheme_len > 0
        && rest.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && rest.as_bytes().get(scheme_len) == Some(&b':')
        && rest.as_bytes().get(scheme_len + 1) != Some(&b':')
}

/// The value of a quoted string token (quotes included): escapes resolved, unknown ones kept as written.
pub(super) fn decode_string(raw: &str) -> String {
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'a' => out.push('\u{7}'),
            'v' => out.push('\u{b}'),
            '\'' | '"' | '\\' | '?' | '/' => out.push(e),
            'u' => {
                let hex: String = chars.clone().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().filter(|_| hex.len() == 4).and_then(char::from_u32) {
                    Some(ch) => {
                        out.push(ch);
                        chars.nth(3);
                    }
                    None => out.push_str("\\u"),
                }
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    out
}

/// Quoted ISO 8601 values (extended format) are dates, times and date-times; other strings stay strings.
fn classify(s: String) -> Literal {
    if is_date(&s) {
        Literal::Date(s)
    } else if is_time(&s) {
        Literal::Time(s)
    } else if s.get(..10).is_some_and(is_date)
        && s.as_bytes().get(10) == Some(&b'T')
        && s.get(11..).is_some_and(is_time)
    {
        Literal::DateTime(s)
    } else {
        Literal::String(s)
    }
}

fn digits(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(u8::is_ascii_digit)
}

/// `YYYY-MM-DD`.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10 && digits(&b[..4]) && b[4] == b'-' && digits(&b[5..7]) && b[7] == b'-' && digits(&b[8..])
}

/// `hh:mm[:ss[.fff]][Z|±hh[:mm]]`.
fn is_time(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !digits(&b[..2]) || b[2] != b':' || !digits(&b[3..5]) {
        return false;
    }
    let mut i = 5;
    if b.get(i) == Some(&b':') {
        if !b.get(i + 1..i + 3).is_some_and(digits) {
            return false;
        }
        i += 3;
        if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
            let n = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return false;
            }
            i += 1 + n;
        }
    }
    match &b[i..] {
        [] | [b'Z'] => true,
        [b'+' | b'-', rest @ ..] => {
            matches!(rest.len(), 2 | 4 | 5)
                && digits(&rest[..2])
                && match rest.len() {
                    4 => digits(&rest[2..]),
                    5 => rest[2] == b':' && digits(&rest[3..]),
                    _ => true,
                }
        }
        _ => false,
    }
}
