//! Byte offsets → 1-based line and column, computed only when a diagnostic needs one.

/// Characters are counted from checkpoints this many bytes apart, so one position costs at
/// most two short scans however long its line (a 1 MB one-line file with thousands of
/// diagnostics would otherwise rescan its line for each). The table costs an eighth of the input.
const BLOCK: usize = 64;

/// Maps byte offsets of one input to 1-based (line, column) pairs; columns count Unicode
/// scalar values. The tables are built on first use, so valid inputs never pay for them.
pub(crate) struct LineIndex<'a> {
    input: &'a [u8],
    tables: Option<Tables>,
}

struct Tables {
    /// Byte offset where each line starts.
    line_starts: Vec<usize>,
    /// Characters before byte `k * BLOCK`, for every block.
    chars_before_block: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        LineIndex { input, tables: None }
    }

    /// The (line, column) of `offset`; offsets past the end clamp to the end.
    pub(crate) fn position(&mut self, offset: usize) -> (u32, u32) {
        let input = self.input;
        let tables = self.tables.get_or_insert_with(|| Tables::new(input));
        let offset = offset.min(input.len());
        let line = tables.line_starts.partition_point(|&s| s <= offset);
        let start = tables.line_starts[line - 1];
        let column = tables.chars_before(input, offset) - tables.chars_before(input, start) + 1;
        (to_u32(line), to_u32(column))
    }
}

impl Tables {
    fn new(input: &[u8]) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', input).map(|i| i + 1));
        let mut chars_before_block = Vec::with_capacity(input.len() / BLOCK + 1);
        let mut chars = 0;
        chars_before_block.push(0);
        for block in input.chunks(BLOCK) {
            chars += count_chars(block);
            chars_before_block.push(chars);
        }
        Tables { line_starts, chars_before_block }
    }

    /// Characters in `input[..offset]`: the block checkpoint, then the rest of that block.
    fn chars_before(&self, input: &[u8], offset: usize) -> usize {
        let block = offset / BLOCK;
        self.chars_before_block[block] + count_chars(&input[block * BLOCK..offset])
    }
}

/// Scalar values in UTF-8 bytes: every byte that is not a continuation byte starts one.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
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

    #[test]
    fn columns_on_a_line_longer_than_a_block_count_every_character() {
        // Three-byte characters straddle the 64-byte block boundaries; one line, then a second.
        let text = format!("{}\nab", "€".repeat(2000));
        let mut index = LineIndex::new(text.as_bytes());
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(3 * 1000), (1, 1001));
        assert_eq!(index.position(3 * 2000), (1, 2001));
        assert_eq!(index.position(3 * 2000 + 2), (2, 2));
        assert_eq!(index.position(3 * 341), (1, 342));
    }

    #[test]
    fn columns_after_many_lines_count_from_their_own_line() {
        let text = "x\n".repeat(1500) + "äbc";
        let mut index = LineIndex::new(text.as_bytes());
        assert_eq!(index.position(3000), (1501, 1));
        assert_eq!(index.position(3003), (1501, 3));
        assert_eq!(index.position(2047), (1024, 2));
    }
}
