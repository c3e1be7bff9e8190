//! The ADL 1.4 `template_id` rule.

use super::scan::char_column;
use crate::diagnostic::{Code, Diagnostic};

/// Longest accepted ADL 1.4 `template_id`, in bytes.
pub const TEMPLATE_ID_MAX_LEN: usize = 255;

/// Checks an ADL 1.4 `template_id` (free text naming a template, e.g. `Stationärer Versorgungsfall`).
///
/// A template id is free text: real ids contain spaces, dots, hyphens, underscores,
/// parentheses, braces and non-ASCII letters (`IDCR - Adverse Reaction List.v1`,
/// `minimal_action.en.v1_{{randomize}}`). Because it is also the `{template_id}` segment of
/// `/definition/template/adl1.4/{template_id}`, the checks, in this order, refuse:
///
/// 1. the empty id (`ID001`);
/// 2. more than [`TEMPLATE_ID_MAX_LEN`] bytes of UTF-8 (`ID002`, at the first character past the limit);
/// 3. control characters anywhere: C0/C1 controls including tab, CR, LF and U+0085, plus the
///    line and paragraph separators U+2028/U+2029 (`ID004`) — they break logs, headers and URLs;
/// 4. leading or trailing white space (`ID003`) — it silently disappears in many stores and forms;
/// 5. `/` and `\` (`ID005`) — a `/` cannot travel reliably in a URL path segment even
///    percent-encoded, because proxies and servers decode `%2F` before routing; `\` is turned
///    into `/` by some clients.
///
/// Every other printable character is allowed.
pub fn check_template_id(id: &str) -> Result<(), Diagnostic> {
    let at = |pos: usize, code: Code, message: String| Err(Diagnostic::new(code, message, 1, char_column(id, pos), ""));
    if id.is_empty() {
        return at(0, Code::IdEmpty, "the template id is empty".into());
    }
    if id.len() > TEMPLATE_ID_MAX_LEN {
        let cut = id.char_indices().find(|&(i, c)| i + c.len_utf8() > TEMPLATE_ID_MAX_LEN).map_or(0, |(i, _)| i);
        let message = format!("the template id is {} bytes long; at most {TEMPLATE_ID_MAX_LEN} are allowed", id.len());
        return at(cut, Code::IdTooLong, message);
    }
    if let Some((pos, c)) = id.char_indices().find(|&(_, c)| is_control(c)) {
        return at(
            pos,
            Code::IdControlChar,
            format!("the template id contains the control character U+{:04X}", c as u32),
        );
    }
    if id.starts_with(char::is_whitespace) {
        return at(0, Code::IdSurroundingSpace, "the template id starts with white space".into());
    }
    let trimmed = id.trim_end();
    if trimmed.len() < id.len() {
        return at(trimmed.len(), Code::IdSurroundingSpace, "the template id ends with white space".into());
    }
    if let Some((pos, c)) = id.char_indices().find(|&(_, c)| c == '/' || c == '\\') {
        let message = format!("`{c}` is not allowed in a template id: it cannot travel in a URL path segment");
        return at(pos, Code::IdForbiddenChar, message);
    }
    Ok(())
}

/// Control characters (Unicode category Cc) and the line/paragraph separators.
fn is_control(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}
