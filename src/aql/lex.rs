//! The AQL lexer: a cursor over the text that yields one token at a time, on demand, so that the
//! parser can read the few places whose syntax is not made of tokens (the TIMEWINDOW interval, a
//! `{URI}` or `{/regex/}` operand) as raw text from where the last token ended.
//!
//! Keywords are recognised case-insensitively, and only for plain words: `openEHR-EHR-...`,
//! `at0001.1` or `ISO_639-1::en` are single tokens however they are spelled. Comments (`--` to the end
//! of the line) and white space are skipped. Lexical errors are recorded with their byte offset
//! and come out as an [`TokKind::Error`] token that the parser never reports a second time.

use crate::diagnostic::Code;

/// Reserved words of AQL. Function names (`COUNT`, `LENGTH`, `TERMINOLOGY`, ...) are not reserved:
/// they are plain words that the parser recognises when a `(` follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kw {
    Select,
    As,
    From,
    Where,
    Order,
    By,
    Desc,
    Descending,
    Asc,
    Ascending,
    Limit,
    Offset,
    Distinct,
    Version,
    LatestVersion,
    AllVersions,
    Null,
    Top,
    Forward,
    Backward,
    Contains,
    And,
    Or,
    Not,
    Exists,
    Like,
    Matches,
    True,
    False,
    Timewindow,
}

const KEYWORDS: &[(&str, Kw)] = &[
    ("select", Kw::Select),
    ("as", Kw::As),
    ("from", Kw::From),
    ("where", Kw::Where),
    ("order", Kw::Order),
    ("by", Kw::By),
    ("desc", Kw::Desc),
    ("descending", Kw::Descending),
    ("asc", Kw::Asc),
    ("ascending", Kw::Ascending),
    ("limit", Kw::Limit),
    ("offset", Kw::Offset),
    ("distinct", Kw::Distinct),
    ("version", Kw::Version),
    ("latest_version", Kw::LatestVersion),
    ("all_versions", Kw::AllVersions),
    ("null", Kw::Null),
    ("top", Kw::Top),
    ("forward", Kw::Forward),
    ("backward", Kw::Backward),
    ("contains", Kw::Contains),
    ("and", Kw::And),
    ("or", Kw::Or),
    ("not", Kw::Not),
    ("exists", Kw::Exists),
    ("like", Kw::Like),
    ("matches", Kw::Matches),
    ("true", Kw::True),
    ("false", Kw::False),
    ("timewindow", Kw::Timewindow),
];

impl Kw {
    /// The canonical (upper-case) spelling, as the pretty-printer writes it.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Kw::Select => "SELECT",
            Kw::As => "AS",
            Kw::From => "FROM",
            Kw::Where => "WHERE",
            Kw::Order => "ORDER",
            Kw::By => "BY",
            Kw::Desc => "DESC",
            Kw::Descending => "DESCENDING",
            Kw::Asc => "ASC",
            Kw::Ascending => "ASCENDING",
            Kw::Limit => "LIMIT",
            Kw::Offset => "OFFSET",
            Kw::Distinct => "DISTINCT",
            Kw::Version => "VERSION",
            Kw::LatestVersion => "LATEST_VERSION",
            Kw::AllVersions => "ALL_VERSIONS",
            Kw::Null => "NULL",
            Kw::Top => "TOP",
            Kw::Forward => "FORWARD",
            Kw::Backward => "BACKWARD",
            Kw::Contains => "CONTAINS",
            Kw::And => "AND",
            Kw::Or => "OR",
            Kw::Not => "NOT",
            Kw::Exists => "EXISTS",
            Kw::Like => "LIKE",
            Kw::Matches => "MATCHES",
            Kw::True => "TRUE",
            Kw::False => "FALSE",
            Kw::Timewindow => "TIMEWINDOW",
        }
    }

    /// Keywords that start a clause: where error recovery resumes.
    pub(super) fn starts_clause(self) -> bool {
        matches!(self, Kw::Select | Kw::From | Kw::Where | Kw::Order | Kw::Limit | Kw::Offset | Kw::Timewindow)
    }
}

/// What a token is. Its text is `src[start..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokKind {
    /// `[A-Za-z_][A-Za-z0-9_]*` that is not a keyword: a class, variable, attribute or function name.
    Word,
    Keyword(Kw),
    /// An archetype node code: `at0001`, `id5`, `at0001.1`.
    Code,
    /// A word joined by `-` (and `.`, `::`): an archetype id such as `openEHR-EHR-OBSERVATION.bp.v1`.
    ArchetypeId,
    /// `terminology::code`, e.g. `ISO_639-1::en`.
    TermCode,
    /// `$name`.
    Param,
    /// A quoted string, quotes included.
    Str,
    Int,
    Real,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    /// `;`: only a trailing one is read (warned as legacy); AQL itself has none.
    Semicolon,
    Slash,
    Star,
    Minus,
    Cmp(CmpOp),
    Eof,
    /// A lexical error, already recorded by the lexer.
    Error,
}

/// The comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "wasm-types", derive(tsify::Tsify))]
pub enum CmpOp {
    #[cfg_attr(feature = "serde", serde(rename = "="))]
    Eq,
    #[cfg_attr(feature = "serde", serde(rename = "!="))]
    Ne,
    #[cfg_attr(feature = "serde", serde(rename = "<"))]
    Lt,
    #[cfg_attr(feature = "serde", serde(rename = "<="))]
    Le,
    #[cfg_attr(feature = "serde", serde(rename = ">"))]
    Gt,
    #[cfg_attr(feature = "serde", serde(rename = ">="))]
    Ge,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Token {
    pub(super) kind: TokKind,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// A lexical error: code, message, byte offset.
pub(super) type LexError = (Code, String, usize);

pub(super) struct Lexer<'a> {
    src: &'a str,
    pub(super) pos: usize,
    pub(super) errors: Vec<LexError>,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(src: &'a str) -> Self {
        Lexer { src, pos: 0, errors: Vec::new() }
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.src.as_bytes().get(at).copied()
    }

    /// Skips white space and `--` comments.
    pub(super) fn skip_trivia(&mut self) {
        loop {
            match self.byte(self.pos) {
                Some(b' ' | b'\t' | b'\r' | b'\n' | 0x0C) => self.pos += 1,
                Some(b'-') if self.byte(self.pos + 1) == Some(b'-') => {
                    let rest = &self.src.as_bytes()[self.pos..];
                    self.pos += memchr::memchr(b'\n', rest).unwrap_or(rest.len());
                }
                _ => {
                    // Other Unicode white space (NBSP pasted from documents) is white space too.
                    match self.src[self.pos..].chars().next() {
                        Some(c) if c.is_whitespace() => self.pos += c.len_utf8(),
                        _ => return,
                    }
                }
            }
        }
    }

    /// The next token.
    pub(super) fn next_token(&mut self) -> Token {
        self.skip_trivia();
        let start = self.pos;
        let Some(b) = self.byte(start) else {
            return Token { kind: TokKind::Eof, start, end: start };
        };
        let kind = match b {
            b'(' => self.single(TokKind::LParen),
            b')' => self.single(TokKind::RParen),
            b'[' => self.single(TokKind::LBracket),
            b']' => self.single(TokKind::RBracket),
            b'{' => self.single(TokKind::LBrace),
            b'}' => self.single(TokKind::RBrace),
            b',' => self.single(TokKind::Comma),
            b';' => self.single(TokKind::Semicolon),
            b'/' => self.single(TokKind::Slash),
            b'*' => self.single(TokKind::Star),
            b'-' => self.single(TokKind::Minus),
            b'=' if self.byte(start + 1) == Some(b'=') => self.bad(2, "`==` is not an AQL operator: use `=`"),
            b'=' => self.single(TokKind::Cmp(CmpOp::Eq)),
            b'!' if self.byte(start + 1) == Some(b'=') => self.double(TokKind::Cmp(CmpOp::Ne)),
            b'!' => self.bad(1, "`!` is not an AQL operator: use `!=` or NOT"),
            b'<' if self.byte(start + 1) == Some(b'=') => self.double(TokKind::Cmp(CmpOp::Le)),
            b'<' if self.byte(start + 1) == Some(b'>') => self.double(TokKind::Cmp(CmpOp::Ne)),
            b'<' => self.single(TokKind::Cmp(CmpOp::Lt)),
            b'>' if self.byte(start + 1) == Some(b'=') => self.double(TokKind::Cmp(CmpOp::Ge)),
            b'>' => self.single(TokKind::Cmp(CmpOp::Gt)),
            b'&' if self.byte(start + 1) == Some(b'&') => self.bad(2, "`&&` is not an AQL operator: use AND"),
            b'|' if self.byte(start + 1) == Some(b'|') => self.bad(2, "`||` is not an AQL operator: use OR"),
            b'\'' | b'"' => self.string(),
            b'$' => self.param(),
            b'0'..=b'9' => self.number(),
            b'.' if self.byte(start + 1).is_some_and(|d| d.is_ascii_digit()) => self.number(),
            b if b.is_ascii_alphabetic() || b == b'_' => self.word(),
            _ => {
                let c = self.src[start..].chars().next().unwrap_or('?');
                self.bad(c.len_utf8(), &format!("unexpected character `{c}`"))
            }
        };
        Token { kind, start, end: self.pos }
    }

    fn single(&mut self, kind: TokKind) -> TokKind {
        self.pos += 1;
        kind
    }

    fn double(&mut self, kind: TokKind) -> TokKind {
        self.pos += 2;
        kind
    }

    fn bad(&mut self, len: usize, message: &str) -> TokKind {
        self.errors.push((Code::AqlBadToken, message.to_string(), self.pos));
        self.pos += len;
        TokKind::Error
    }

    /// A quoted string; escapes (`\'`, `\\`, ...) never end it. Unclosed: `AQL002` at the quote.
    fn string(&mut self) -> TokKind {
        let start = self.pos;
        let bytes = self.src.as_bytes();
        let quote = bytes[start];
        let mut i = start + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b if b == quote => {
                    self.pos = i + 1;
                    return TokKind::Str;
                }
                _ => i += 1,
            }
        }
        let q = quote as char;
        self.errors.push((Code::AqlUnclosedString, format!("the string opened with {q} is not closed"), start));
        self.pos = bytes.len();
        TokKind::Error
    }

    fn param(&mut self) -> TokKind {
        let start = self.pos;
        let name_len = ident_len(&self.src[start + 1..]);
        if name_len == 0 {
            return self.bad(1, "`$` must be followed by a parameter name such as `$ehr_id`");
        }
        self.pos = start + 1 + name_len;
        TokKind::Param
    }

    /// `12`, `1.5`, `.5`, `1e-3`: an integer unless it has a fraction or an exponent.
    fn number(&mut self) -> TokKind {
        let bytes = self.src.as_bytes();
        let mut i = self.pos;
        let digits = |i: &mut usize| {
            while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
        };
        digits(&mut i);
        let mut real = false;
        if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
            digits(&mut i);
            real = true;
        }
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            let mut j = i + 1;
            if matches!(bytes.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            if bytes.get(j).is_some_and(u8::is_ascii_digit) {
                i = j;
                digits(&mut i);
                real = true;
            }
        }
        if bytes.get(i).is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_') {
            self.pos = i;
            return self.bad(1, "a number must not run into a name");
        }
        self.pos = i;
        if real { TokKind::Real } else { TokKind::Int }
    }

    /// A word, or a compound word joined by `-`, `.` or `::` (archetype ids, dotted node codes, term codes).
    fn word(&mut self) -> TokKind {
        let start = self.pos;
        let bytes = self.src.as_bytes();
        let mut i = start + ident_len(&self.src[start..]);
        let simple_end = i;
        loop {
            let joiner = match bytes.get(i) {
                Some(b'-' | b'.') => 1,
                Some(b':') if bytes.get(i + 1) == Some(&b':') => 2,
                _ => break,
            };
            let next = bytes.get(i + joiner);
            if !next.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_') {
                break;
            }
            i += joiner;
            while bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_') {
                i += 1;
            }
        }
        self.pos = i;
        let text = &self.src[start..i];
        if i == simple_end {
            if is_node_code(text) {
                return TokKind::Code;
            }
            return match KEYWORDS.iter().find(|(k, _)| k.eq_ignore_ascii_case(text)) {
                Some(&(_, kw)) => TokKind::Keyword(kw),
                None => TokKind::Word,
            };
        }
        if is_node_code(text) {
            TokKind::Code
        } else if let Some((_, local)) = text.rsplit_once("::") {
            if local.contains('-') && local.contains(".v") { TokKind::ArchetypeId } else { TokKind::TermCode }
        } else if text.contains('-') {
            TokKind::ArchetypeId
        } else {
            self.errors.push((Code::AqlBadToken, format!("`{text}` is not an AQL token"), start));
            TokKind::Error
        }
    }

    /// Raw text from the current position: skips white space, then takes the run up to the next
    /// white space (the TIMEWINDOW interval). Returns its byte range.
    pub(super) fn raw_word(&mut self) -> (usize, usize) {
        self.skip_trivia();
        let start = self.pos;
        let rest = &self.src[start..];
        let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
        self.pos = start + len;
        (start, self.pos)
    }

    /// Raw text from the current position up to (not including) the next `}`: the body of a
    /// `{URI}` or `{/regex/}` operand. `None` (position unchanged) when no `}` follows.
    pub(super) fn raw_until_brace(&mut self) -> Option<(usize, usize)> {
        let start = self.pos;
        let len = memchr::memchr(b'}', &self.src.as_bytes()[start..])?;
        self.pos = start + len;
        Some((start, self.pos))
    }

    /// The text after the current position without leading white space (for lookahead on raw forms).
    pub(super) fn rest_trimmed(&self) -> &'a str {
        self.src[self.pos..].trim_start()
    }
}

/// Length in bytes of the `[A-Za-z_][A-Za-z0-9_]*` name at the start of `s` (0 if none).
fn ident_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    if !bytes.first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_') {
        return 0;
    }
    bytes.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count()
}

/// `at0001`, `id5`, `at0001.1.2`: an archetype node code.
fn is_node_code(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("at").or_else(|| text.strip_prefix("id")) else {
        return false;
    };
    !rest.is_empty() && rest.split('.').all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokKind> {
        let mut lex = Lexer::new(src);
        let mut out = Vec::new();
        loop {
            let t = lex.next_token();
            out.push(t.kind);
            if t.kind == TokKind::Eof {
                return out;
            }
        }
    }

    #[test]
    fn compound_words_are_one_token() {
        use TokKind::*;
        assert_eq!(kinds("c[openEHR-EHR-COMPOSITION.minimal.v1]"), [Word, LBracket, ArchetypeId, RBracket, Eof]);
        assert_eq!(kinds("at0001.1 id5 at x"), [Code, Code, Word, Word, Eof]);
        assert_eq!(kinds("ISO_639-1::en"), [TermCode, Eof]);
        assert_eq!(kinds("org.openehr::openEHR-EHR-OBSERVATION.bp.v1.0.0"), [ArchetypeId, Eof]);
    }

    #[test]
    fn keywords_are_case_insensitive_and_comments_skipped() {
        use TokKind::*;
        assert_eq!(kinds("sElEcT -- a comment\n x FrOm"), [Keyword(Kw::Select), Word, Keyword(Kw::From), Eof]);
    }

    #[test]
    fn numbers_and_operators() {
        use TokKind::*;
        assert_eq!(kinds("1 1.5 .5 2e3 <> != <= >= < > ="), {
            let c = |o| Cmp(o);
            [
                Int,
                Real,
                Real,
                Real,
                c(CmpOp::Ne),
                c(CmpOp::Ne),
                c(CmpOp::Le),
                c(CmpOp::Ge),
                c(CmpOp::Lt),
                c(CmpOp::Gt),
                c(CmpOp::Eq),
                Eof,
            ]
        });
    }
}
