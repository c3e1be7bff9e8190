//! A minimal, strict JSON reader that keeps the line and column of every key and value, so FLAT
//! diagnostics can point into the text. No runtime dependency: the core must stay small for wasm.
//! Parsing is iterative (an explicit stack), so nesting can never overflow the call stack; depth
//! and size are capped.

mod write;

pub use write::escape_into;

/// Inputs larger than this are refused (a composition is kilobytes to a few megabytes).
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;
/// Deeper nesting is refused. STRUCTURED compositions nest two levels per template level.
pub const MAX_DEPTH: usize = 256;

/// A 1-based line and column (columns count Unicode scalar values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// A JSON value and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Json {
    pub pos: Pos,
    pub value: Value,
}

/// The value kinds. Numbers keep their text: FLAT checks precision and ranges on it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// Members in text order, duplicates kept (the caller decides what a duplicate means).
    Object(Vec<Member>),
}

/// One object member: the key with its position, and the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_pos: Pos,
    pub value: Json,
}

/// Why the text is not JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub message: String,
    pub pos: Pos,
}

/// A container being filled while parsing: objects hold the key whose value is being read.
enum Frame {
    Array(Pos, Vec<Json>),
    Object(Pos, Vec<Member>, String, Pos),
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u32,
    column: u32,
}

impl<'a> Reader<'a> {
    fn pos(&self) -> Pos {
        Pos { line: self.line, column: self.column }
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, JsonError> {
        Err(JsonError { message: message.into(), pos: self.pos() })
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Advances over one byte, counting columns per scalar value (UTF-8 continuation bytes
    /// do not count).
    fn bump(&mut self) {
        if let Some(b) = self.peek() {
            self.at += 1;
            if b == b'\n' {
                self.line += 1;
                self.column = 1;
            } else if b & 0xC0 != 0x80 {
                self.column += 1;
            }
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.bump();
        }
    }

    fn expect_word(&mut self, word: &str) -> Result<(), JsonError> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            for _ in 0..word.len() {
                self.bump();
            }
            Ok(())
        } else {
            self.err("invalid literal")
        }
    }

    /// Reads `"key" :` and leaves the reader at the value.
    fn key(&mut self) -> Result<(String, Pos), JsonError> {
        if self.peek() != Some(b'"') {
            return self.err("expected a string key");
        }
        let pos = self.pos();
        let key = self.string()?;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return self.err("expected ':' after an object key");
        }
        self.bump();
        Ok((key, pos))
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.bump(); // opening quote
        let mut out = String::new();
        loop {
            let start = self.at;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.bump();
            }
            // The input is a &str, so any run between ASCII delimiters is valid UTF-8.
            out.push_str(std::str::from_utf8(&self.bytes[start..self.at]).unwrap_or_default());
            match self.peek() {
                None => return self.err("unterminated string"),
                Some(b'"') => {
                    self.bump();
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.bump();
                    let Some(e) = self.peek() else { return self.err("unterminated string") };
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            self.bump();
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi) {
                                if !self.bytes[self.at..].starts_with(b"\\u") {
                                    return self.err("unpaired surrogate in \\u escape");
                                }
                                self.bump();
                                self.bump();
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return self.err("unpaired surrogate in \\u escape");
                                }
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            } else {
                                char::from_u32(hi)
                            };
                            match c {
                                Some(c) => out.push(c),
                                None => return self.err("unpaired surrogate in \\u escape"),
                            }
                            continue;
                        }
                        _ => return self.err("invalid escape"),
                    }
                    self.bump();
                }
                Some(_) => return self.err("control character in string"),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(b @ b'0'..=b'9') => b - b'0',
                Some(b @ b'a'..=b'f') => b - b'a' + 10,
                Some(b @ b'A'..=b'F') => b - b'A' + 10,
                _ => return self.err("invalid \\u escape"),
            };
            v = v * 16 + u32::from(d);
            self.bump();
        }
        Ok(v)
    }

    fn number(&mut self) -> Result<String, JsonError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => self.bump(),
            Some(b'1'..=b'9') => self.digits(),
            _ => return self.err("invalid number"),
        }
        if self.peek() == Some(b'.') {
            self.bump();
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return self.err("invalid number");
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.bump();
            if let Some(b'+' | b'-') = self.peek() {
                self.bump();
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return self.err("invalid number");
            }
            self.digits();
        }
        Ok(String::from_utf8_lossy(&self.bytes[start..self.at]).into_owned())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.bump();
        }
    }
}

/// Parses one JSON document (RFC 8259, no extensions; a leading BOM is skipped).
pub fn parse(text: &str) -> Result<Json, JsonError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut r = Reader { bytes: text.as_bytes(), at: 0, line: 1, column: 1 };
    if text.len() > MAX_INPUT_BYTES {
        return r.err(format!("input larger than {MAX_INPUT_BYTES} bytes"));
    }
    let mut stack: Vec<Frame> = Vec::new();
    'value: loop {
        r.skip_ws();
        let pos = r.pos();
        let mut done = match r.peek() {
            None => return r.err("unexpected end of input"),
            Some(open @ (b'{' | b'[')) => {
                if stack.len() >= MAX_DEPTH {
                    return r.err(format!("nesting deeper than {MAX_DEPTH}"));
                }
                r.bump();
                r.skip_ws();
                if open == b'{' {
                    if r.peek() == Some(b'}') {
                        r.bump();
                        Json { pos, value: Value::Object(Vec::new()) }
                    } else {
                        let (key, key_pos) = r.key()?;
                        stack.push(Frame::Object(pos, Vec::new(), key, key_pos));
                        continue 'value;
                    }
                } else if r.peek() == Some(b']') {
                    r.bump();
                    Json { pos, value: Value::Array(Vec::new()) }
                } else {
                    stack.push(Frame::Array(pos, Vec::new()));
                    continue 'value;
                }
            }
            Some(b'"') => Json { pos, value: Value::String(r.string()?) },
            Some(b't') => r.expect_word("true").map(|()| Json { pos, value: Value::Bool(true) })?,
            Some(b'f') => r.expect_word("false").map(|()| Json { pos, value: Value::Bool(false) })?,
            Some(b'n') => r.expect_word("null").map(|()| Json { pos, value: Value::Null })?,
            Some(b'-' | b'0'..=b'9') => Json { pos, value: Value::Number(r.number()?) },
            Some(_) => return r.err("unexpected character"),
        };
        // Attach the finished value to its container, closing containers that end here.
        loop {
            match stack.last_mut() {
                None => {
                    r.skip_ws();
                    if r.peek().is_some() {
                        return r.err("unexpected text after the JSON value");
                    }
                    return Ok(done);
                }
                Some(Frame::Array(_, items)) => {
                    items.push(done);
                    r.skip_ws();
                    match r.peek() {
                        Some(b',') => {
                            r.bump();
                            continue 'value;
                        }
                        Some(b']') => r.bump(),
                        _ => return r.err("expected ',' or ']'"),
                    }
                }
                Some(Frame::Object(_, members, key, key_pos)) => {
                    members.push(Member { key: std::mem::take(key), key_pos: *key_pos, value: done });
                    r.skip_ws();
                    match r.peek() {
                        Some(b',') => {
                            r.bump();
                            r.skip_ws();
                            let (k, kp) = r.key()?;
                            *key = k;
                            *key_pos = kp;
                            continue 'value;
                        }
                        Some(b'}') => r.bump(),
                        _ => return r.err("expected ',' or '}'"),
                    }
                }
            }
            done = match stack.pop() {
                Some(Frame::Array(pos, items)) => Json { pos, value: Value::Array(items) },
                Some(Frame::Object(pos, members, _, _)) => Json { pos, value: Value::Object(members) },
                None => return r.err("internal: empty stack"),
            };
        }
    }
}

#[cfg(test)]
mod tests;
