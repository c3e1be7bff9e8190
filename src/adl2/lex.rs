//! Small lexical helpers over the ADL text, all working on byte offsets.

/// The offset of the next significant character at or after `pos`: skips white space and
/// `--` comments (to the end of their line). Returns `text.len()` at the end.
pub(super) fn skip_trivia(text: &str, mut pos: usize) -> usize {
    loop {
        let rest = &text[pos..];
        let trimmed = rest.trim_start();
        pos += rest.len() - trimmed.len();
        if trimmed.starts_with("--") {
            pos += trimmed.find('\n').unwrap_or(trimmed.len());
        } else {
            return pos;
        }
    }
}

/// The `[A-Za-z_][A-Za-z0-9_]*` word at `pos` (empty when there is none).
pub(super) fn word_at(text: &str, pos: usize) -> &str {
    let rest = &text[pos..];
    if !rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return "";
    }
    let len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
    &rest[..len]
}

/// The run of non-white-space characters at `pos` (an id token).
pub(super) fn token_at(text: &str, pos: usize) -> &str {
    let rest = &text[pos..];
    &rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())]
}

/// The byte offset of the `column`-th (1-based) character of `token`, clamped to its end.
pub(super) fn char_offset(token: &str, column: u32) -> usize {
    let skip = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
    token.char_indices().nth(skip).map_or(token.len(), |(i, _)| i)
}

/// Where a quoted string or a character literal that starts at `pos` ends (one past its
/// closing quote), or `None` when it is not closed before `end`. Handles `\"` and `\\`.
pub(super) fn quoted_end(text: &str, pos: usize, end: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let quote = *bytes.get(pos)?;
    let mut i = pos + 1;
    while i < end {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The end of a character literal (`'a'`, `'\''`, `'ä'`) at `pos`, if there is one; a lone
/// apostrophe is not a literal.
pub(super) fn char_literal_end(text: &str, pos: usize) -> Option<usize> {
    let rest = text.get(pos + 1..)?;
    let mut chars = rest.char_indices();
    let (_, first) = chars.next()?;
    let (_, second) = chars.next()?;
    if first == '\\' {
        let (i, third) = chars.next()?;
        return (third == '\'').then_some(pos + 1 + i + 1);
    }
    (second == '\'').then(|| pos + 1 + first.len_utf8() + 1)
}
