//! A tiny character cursor shared by the identifier parsers, so that every error can name the
//! 1-based character column of the offending character.

use crate::diagnostic::{Code, Diagnostic};

/// Walks an identifier one character at a time, remembering the byte offset.
pub(crate) struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Scanner { text, pos: 0 }
    }

    pub(crate) fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    pub(crate) fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    /// The 1-based character column of the current position (one past the end at the end).
    pub(crate) fn column(&self) -> u32 {
        char_column(self.text, self.pos)
    }

    /// Consumes `c` when it is next.
    pub(crate) fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    /// Consumes `s` when it comes next.
    pub(crate) fn eat_str(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    /// Consumes the longest run of characters satisfying `pred` and returns it.
    pub(crate) fn take_while(&mut self, pred: impl Fn(char) -> bool) -> &'a str {
        let start = self.pos;
        let len = self.rest().find(|c: char| !pred(c)).unwrap_or(self.rest().len());
        self.pos += len;
        &self.text[start..self.pos]
    }

    /// A diagnostic with `code` at the current position.
    pub(crate) fn error(&self, code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, message, 1, self.column(), "")
    }
}

/// The 1-based character column of byte offset `pos` in a one-line `text`.
pub(crate) fn char_column(text: &str, pos: usize) -> u32 {
    let pos = pos.min(text.len());
    let count = text.get(..pos).map_or(0, |head| head.chars().count());
    u32::try_from(count + 1).unwrap_or(u32::MAX)
}

/// `[A-Za-z][A-Za-z0-9_]*`: the `V_NAME` shape of ADL id parts. Returns the name or an error
/// naming `part` at the current column.
pub(crate) fn name<'a>(scan: &mut Scanner<'a>, part: &str) -> Result<&'a str, Diagnostic> {
    match scan.peek() {
        Some(c) if c.is_ascii_alphabetic() => Ok(scan.take_while(|c| c.is_ascii_alphanumeric() || c == '_')),
        Some(c) => Err(scan.error(Code::IdMalformed, format!("the {part} must start with a letter, found `{c}`"))),
        None => Err(scan.error(Code::IdMalformed, format!("the {part} is missing"))),
    }
}

/// A non-negative decimal number without leading zeros (`0`, `7`, `12`), as written.
pub(crate) fn number<'a>(scan: &mut Scanner<'a>, part: &str) -> Result<&'a str, Diagnostic> {
    let column = scan.column();
    let digits = scan.take_while(|c| c.is_ascii_digit());
    if digits.is_empty() {
        let found = scan.peek().map_or_else(|| "the end".to_string(), |c| format!("`{c}`"));
        return Err(scan.error(Code::IdMalformed, format!("expected the {part} (digits), found {found}")));
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return Err(Diagnostic::new(
            Code::IdMalformed,
            format!("the {part} `{digits}` has a leading zero"),
            1,
            column,
            "",
        ));
    }
    Ok(digits)
}

/// A reverse-domain namespace (`org.openehr`): labels of `[a-zA-Z0-9_-]` separated by single
/// dots, no empty label. The scanner stops at the first character that is neither.
pub(crate) fn namespace(scan: &mut Scanner<'_>) -> Result<(), Diagnostic> {
    loop {
        let label = scan.take_while(is_namespace_char);
        if label.is_empty() {
            return Err(match scan.peek() {
                Some('.') | Some(':') | None => scan.error(Code::IdMalformed, "the namespace has an empty label"),
                Some(c) => scan.error(Code::IdForbiddenChar, format!("`{c}` is not allowed in a namespace")),
            });
        }
        if !scan.eat('.') {
            return Ok(());
        }
    }
}

pub(crate) fn is_namespace_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}
