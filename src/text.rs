//! Input decoding shared by both parsers: strip a UTF-8 BOM, refuse UTF-16 and invalid UTF-8.

use crate::diagnostic::{Code, Diagnostic};
use crate::position::LineIndex;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The input as UTF-8 text without its BOM, or the `OPT002` diagnostic that says why not.
/// Positions in the returned text are what every later diagnostic counts from.
pub(crate) fn decode_utf8(input: &[u8]) -> Result<&str, Diagnostic> {
    let body = input.strip_prefix(UTF8_BOM).unwrap_or(input);
    if looks_like_utf16(body) {
        return Err(Diagnostic::new(
            Code::Encoding,
            "the input is UTF-16; only UTF-8 (with or without BOM) is accepted",
            1,
            1,
            "",
        ));
    }
    std::str::from_utf8(body).map_err(|e| {
        let (line, column) = LineIndex::new(body).position(e.valid_up_to());
        Diagnostic::new(
            Code::Encoding,
            format!("invalid UTF-8 at byte {}; only UTF-8 is accepted", e.valid_up_to()),
            line,
            column,
            "",
        )
    })
}

/// The input without a leading UTF-8 BOM.
pub(crate) fn strip_bom(input: &[u8]) -> &[u8] {
    input.strip_prefix(UTF8_BOM).unwrap_or(input)
}

/// A UTF-16 byte-order mark, or the NUL-interleaved `<` that BOM-less UTF-16 XML starts with.
pub(crate) fn looks_like_utf16(bytes: &[u8]) -> bool {
    matches!(bytes, [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] | [b'<', 0, ..] | [0, b'<', ..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_stripped() {
        assert_eq!(decode_utf8(b"\xEF\xBB\xBF<a/>").unwrap(), "<a/>");
    }

    #[test]
    fn utf16_is_refused() {
        let err = decode_utf8(b"\xFF\xFE<\0a\0").unwrap_err();
        assert_eq!(err.code, Code::Encoding);
        assert_eq!((err.line, err.column), (1, 1));
    }

    #[test]
    fn invalid_utf8_is_positioned() {
        let err = decode_utf8(b"<a>\n  \xC3(</a>").unwrap_err();
        assert_eq!(err.code, Code::Encoding);
        assert_eq!((err.line, err.column), (2, 3));
    }
}
