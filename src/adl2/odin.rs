//! A small ODIN reader: just enough of ODIN to read the `language` and `description`
//! sections of an ADL 2 header.
//!
//! It understands attribute lists (`name = <...>`), keyed entries (`["key"] = <...>`,
//! `[1] = <...>`), strings and string lists with the `\"` and `\\` escapes, terminology codes
//! (`[ISO_639-1::en]`) and optional type markers (`(TYPE) <...>`). Any other value (numbers,
//! dates, intervals, ...) is skipped by balanced `<`/`>`, minding strings, character literals
//! and `|...|` intervals, whose `<` and `>` do not count.

use super::lex::{char_literal_end, quoted_end, skip_trivia, word_at};

/// Deeper nesting than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

/// An ODIN value, as far as the header needs to tell values apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Value {
    /// `name = <...>` or `["key"] = <...>` entries.
    Entries(Vec<Entry>),
    /// One string or a list of strings.
    Strings(Vec<String>),
    /// Terminology codes; each item is the code after `::` (`en` of `[ISO_639-1::en]`).
    Codes(Vec<String>),
    /// Anything else, including `<>`.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    /// The attribute name, or the key of a keyed entry without its quotes.
    pub(super) key: String,
    /// True for `[key] = <...>`, false for `name = <...>`.
    pub(super) keyed: bool,
    pub(super) value: Value,
}

/// Why the ODIN could not be read, and where (a byte offset of the whole text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct OdinError {
    pub(super) offset: usize,
    pub(super) message: String,
}

/// Reads the attribute list in `text[start..end]`.
pub(super) fn read_entries(text: &str, start: usize, end: usize) -> Result<Vec<Entry>, OdinError> {
    let mut reader = Reader { text: &text[..end], pos: start, depth: 0 };
    reader.entries(false)
}

struct Reader<'a> {
    /// The text up to the end of the section: the reader never looks further.
    text: &'a str,
    pos: usize,
    depth: usize,
}

impl Reader<'_> {
    fn error<T>(&self, offset: usize, message: impl Into<String>) -> Result<T, OdinError> {
        Err(OdinError { offset, message: message.into() })
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn skip_trivia(&mut self) {
        self.pos = skip_trivia(self.text, self.pos);
    }

    fn expect(&mut self, c: char, context: &str) -> Result<(), OdinError> {
        self.skip_trivia();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            self.error(self.pos, format!("expected `{c}` {context}, found {}", self.found()))
        }
    }

    fn found(&self) -> String {
        self.peek().map_or_else(|| "the end of the section".to_string(), |c| format!("`{c}`"))
    }

    /// Entries until the end of the section (top level) or until a `>` (nested; not consumed).
    fn entries(&mut self, nested: bool) -> Result<Vec<Entry>, OdinError> {
        let mut entries = Vec::new();
        loop {
            self.skip_trivia();
            let start = self.pos;
            let (key, keyed) = match self.peek() {
                None if nested => {
                    return self.error(start, "expected `>` to close the block, found the end of the section");
                }
                None => return Ok(entries),
                Some('>') if nested => return Ok(entries),
                Some('[') => (self.key()?, true),
                Some(_) => match word_at(self.text, start) {
                    "" => {
                        return self
                            .error(start, format!("expected an attribute name or `[key]`, found {}", self.found()));
                    }
                    word => {
                        self.pos += word.len();
                        (word.to_string(), false)
                    }
                },
            };
            self.expect('=', "after the attribute name")?;
            let value = self.value()?;
            entries.push(Entry { key, keyed, value });
        }
    }

    /// `["text"]` or `[anything-without-brackets]`, returned without brackets and quotes.
    fn key(&mut self) -> Result<String, OdinError> {
        let open = self.pos;
        self.pos += 1;
        self.skip_trivia();
        let key = if self.peek() == Some('"') {
            self.string()?
        } else {
            let rest = &self.text[self.pos..];
            let len = rest.find([']', '\n', '<', '>', '=']).unwrap_or(rest.len());
            self.pos += len;
            rest[..len].trim().to_string()
        };
        self.skip_trivia();
        if self.peek() != Some(']') {
            return self.error(open, "the key `[` is not closed by `]`");
        }
        self.pos += 1;
        Ok(key)
    }

    /// A quoted string with its escapes resolved; `pos` is at the opening quote.
    fn string(&mut self) -> Result<String, OdinError> {
        let open = self.pos;
        let Some(end) = quoted_end(self.text, open, self.text.len()) else {
            return self.error(open, "the string is not closed");
        };
        self.pos = end;
        Ok(unescape(&self.text[open + 1..end - 1]))
    }

    /// `[(TYPE)] <...>`.
    fn value(&mut self) -> Result<Value, OdinError> {
        self.skip_trivia();
        if self.peek() == Some('(') {
            let rest = &self.text[self.pos..];
            match rest.find(')') {
                Some(close) if rest[1..close].chars().all(|c| c.is_ascii_alphanumeric() || "_<>, ".contains(c)) => {
                    self.pos += close + 1;
                }
                _ => return self.error(self.pos, "the type marker `(` is not closed by `)`"),
            }
        }
        self.expect('<', "to open the value")?;
        let open = self.pos - 1;
        if self.depth >= MAX_DEPTH {
            return self.error(open, format!("the ODIN is nested deeper than {MAX_DEPTH} levels"));
        }
        self.depth += 1;
        let value = self.value_body(open)?;
        self.depth -= 1;
        Ok(value)
    }

    /// The inside of `<...>` and its closing `>`.
    fn value_body(&mut self, open: usize) -> Result<Value, OdinError> {
        self.skip_trivia();
        let value = match self.peek() {
            Some('"') => Value::Strings(self.list(Self::string)?),
            Some('[') if self.is_keyed_entry() => Value::Entries(self.entries(true)?),
            Some('[') => Value::Codes(self.list(Self::code)?),
            Some(c) if (c.is_ascii_alphabetic() || c == '_') && self.is_attribute() => {
                Value::Entries(self.entries(true)?)
            }
            _ => return self.skip_balanced(open),
        };
        self.expect('>', "to close the value")?;
        Ok(value)
    }

    /// A word followed by `=` starts a nested attribute (`name = <...>`), not a value like `True`.
    fn is_attribute(&self) -> bool {
        let after = skip_trivia(self.text, self.pos + word_at(self.text, self.pos).len());
        self.text[after..].starts_with('=')
    }

    /// `[` starts a keyed entry (`["k"] = <`, `[1] = <`) rather than a code (`[ISO_639-1::en]`).
    fn is_keyed_entry(&self) -> bool {
        let rest = &self.text[self.pos + 1..];
        let first = rest.trim_start().chars().next();
        match first {
            Some('"') => true,
            Some(c) if c.is_ascii_digit() => {
                let close = rest.find(']').map_or(rest.len(), |i| i + 1);
                rest[close..].trim_start().starts_with('=')
            }
            _ => false,
        }
    }

    /// `item {, item}` (a trailing `...` continuation marker is allowed).
    fn list(&mut self, item: fn(&mut Self) -> Result<String, OdinError>) -> Result<Vec<String>, OdinError> {
        let mut items = vec![item(self)?];
        loop {
            self.skip_trivia();
            if self.peek() != Some(',') {
                return Ok(items);
            }
            self.pos += 1;
            self.skip_trivia();
            if self.text[self.pos..].starts_with("...") {
                self.pos += 3;
                return Ok(items);
            }
            match self.peek() {
                Some('"' | '[') => items.push(item(self)?),
                _ => {
                    return self
                        .error(self.pos, format!("expected another list item after `,`, found {}", self.found()));
                }
            }
        }
    }

    /// `[terminology::code]` → `code`.
    fn code(&mut self) -> Result<String, OdinError> {
        let open = self.pos;
        if self.peek() != Some('[') {
            return self
                .error(open, format!("expected a terminology code `[terminology::code]`, found {}", self.found()));
        }
        let rest = &self.text[open + 1..];
        let Some(close) = rest.find([']', '\n']).filter(|&i| rest[i..].starts_with(']')) else {
            return self.error(open, "the terminology code `[` is not closed by `]`");
        };
        let inner = &rest[..close];
        let Some((_, code)) = inner.split_once("::") else {
            return self.error(open, format!("`[{inner}]` is not a terminology code `[terminology::code]`"));
        };
        self.pos = open + 1 + close + 1;
        Ok(code.trim().to_string())
    }

    /// Skips a value this reader does not interpret, up to and including its closing `>`.
    fn skip_balanced(&mut self, open: usize) -> Result<Value, OdinError> {
        let bytes = self.text.as_bytes();
        let mut depth = 0usize;
        while self.pos < self.text.len() {
            let next = match bytes[self.pos] {
                b'"' => quoted_end(self.text, self.pos, self.text.len()),
                b'|' => self.text[self.pos + 1..].find(['|', '\n']).map(|i| self.pos + 1 + i + 1),
                b'\'' => Some(char_literal_end(self.text, self.pos).unwrap_or(self.pos + 1)),
                b'-' if bytes.get(self.pos + 1) == Some(&b'-') => {
                    Some(self.text[self.pos..].find('\n').map_or(self.text.len(), |i| self.pos + i))
                }
                b'<' => {
                    depth += 1;
                    Some(self.pos + 1)
                }
                b'>' if depth == 0 => {
                    self.pos += 1;
                    return Ok(Value::Other);
                }
                b'>' => {
                    depth -= 1;
                    Some(self.pos + 1)
                }
                _ => Some(self.pos + 1),
            };
            match next {
                Some(next) => self.pos = next,
                None => return self.error(self.pos, "a string or interval is not closed"),
            }
        }
        self.error(open, "the value `<` is not closed by `>`")
    }
}

/// Resolves `\"` and `\\`; any other backslash stays as written.
fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(e @ ('"' | '\\')) => out.push(e),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<Entry>, OdinError> {
        read_entries(text, 0, text.len())
    }

    fn entry(key: &str, keyed: bool, value: Value) -> Entry {
        Entry { key: key.into(), keyed, value }
    }

    #[test]
    fn reads_strings_codes_and_keyed_entries() {
        let text = r#"a = <"x \"y\" \\ <z>"> -- comment "
b = <[ISO_639-1::en], [ISO_639-1::de]>
c = <["k"] = <"v"> [2] = <"w">>
d = (TYPE) <n = <1>>
e = <|>=0.0|>
f = <"1", "2", ...>
g = <>"#;
        assert_eq!(
            read(text).unwrap(),
            vec![
                entry("a", false, Value::Strings(vec![r#"x "y" \ <z>"#.into()])),
                entry("b", false, Value::Codes(vec!["en".into(), "de".into()])),
                entry(
                    "c",
                    false,
                    Value::Entries(vec![
                        entry("k", true, Value::Strings(vec!["v".into()])),
                        entry("2", true, Value::Strings(vec!["w".into()])),
                    ])
                ),
                entry("d", false, Value::Entries(vec![entry("n", false, Value::Other)])),
                entry("e", false, Value::Other),
                entry("f", false, Value::Strings(vec!["1".into(), "2".into()])),
                entry("g", false, Value::Other),
            ]
        );
    }

    #[test]
    fn errors_carry_the_offset() {
        let err = |t: &str| read(t).unwrap_err().offset;
        assert_eq!(err("a = <\"open>"), 5);
        assert_eq!(err("a = <x = <1>"), 12);
        assert_eq!(err("a <\"x\">"), 2);
        assert_eq!(err("= <1>"), 0);
        assert_eq!(err("a = <[\"k\" = <1>>"), 5);
        assert_eq!(err("a = <1"), 4);
        let deep = format!("a = {}{}", "<b = ".repeat(100), ">".repeat(100));
        assert!(read(&deep).unwrap_err().message.contains("nested deeper"));
    }
}
