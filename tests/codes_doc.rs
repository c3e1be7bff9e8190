//! The code table in the crate docs (`docs/codes.md`) is generated from `Code` itself, so the
//! documentation cannot drift from the codes. Run with `UPDATE_CODES_DOC=1` to rewrite it.

use openehr_definitions::Code;

fn generated_table() -> String {
    Code::ALL
        .iter()
        .map(|code| format!("| `{code}` | {} | {} |\n", code.severity(), code.description().trim()))
        .collect()
}

#[test]
fn code_table_in_the_docs_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/codes.md");
    let expected = generated_table();
    if std::env::var_os("UPDATE_CODES_DOC").is_some() {
        std::fs::write(path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(path).unwrap();
    assert_eq!(actual, expected, "docs/codes.md is stale: rerun with UPDATE_CODES_DOC=1");
}
