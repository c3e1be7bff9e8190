//! Byte offsets → 1-based line and column, computed only when a diagnostic needs one.

/// Maps byte offsets of one input to 1-based (line, column) pairs; columns count Unicode
/// scalar values. The line table is built on first use, so valid inputs never pay for it.
pub(crate) struct LineIndex<'a> {
    input: &'a [u8],
    line_starts: Option<Vec<usize>>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        LineIndex { input, line_starts: None }
    }

    /// The (line, column) of `offset`; offsets past the end clamp to the end.
    pub(crate) fn position(&mut self, offset: usize) -> (u32, u32) {
        let input = self.input;
        let starts = self.line_starts.get_or_insert_with(|| {
            let mut starts = vec![0];
            starts.extend(memchr::memchr_iter(b'\n', input).map(|i| i + 1));
            starts
        });
        let offset = offset.min(input.len());
        let line = starts.partition_point(|&s| s <= offset);
        let start = starts[line - 1];
        // Count scalar values: every byte that is not a UTF-8 continuation byte starts one.
        let column = input[start..offset].iter().filter(|&&b| (b & 0xC0) != 0x80).count() + 1;
        (to_u32(line), to_u32(column))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn lines_and_columns_are_one_based_and_count_characters() {
        let text = "ab\nä<x>\n\nz".as_bytes();
        let mut index = LineIndex::new(text);
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(2), (1, 3));
        assert_eq!(index.position(3), (2, 1));
        // `<` comes after the two-byte `ä`: byte 5, column 2.
        assert_eq!(index.position(5), (2, 2));
        assert_eq!(index.position(9), (3, 1));
        assert_eq!(index.position(10), (4, 1));
        assert_eq!(index.position(999), (4, 2));
    }
}
