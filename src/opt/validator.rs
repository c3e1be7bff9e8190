//! The streaming OPT validator. (In progress.)
use super::OptReport;

pub(crate) enum Depth {
    Full,
    MetadataOnly,
}

pub(crate) fn run(input: &[u8], depth: Depth) -> OptReport {
    let _ = (input, depth);
    OptReport::default()
}
