//! What a file's name says before its content is read: which files a directory walk checks, and
//! the one kind a name fixes. Shared by the native CLI and the npm package's CLI, so both pick the
//! same files and read them the same way.

use crate::kind::Kind;
use crate::report::{Report, validate, validate_as};

/// File name endings (compared in any case) that hold definitions. Inside a directory only these
/// files are checked; a file named explicitly is checked whatever its name.
pub const DEFINITION_EXTENSIONS: &[&str] = &["opt", "xml", "adls", "adlt", "adl", "aql"];

/// The ending after the last `.` of the last path component, as `Path::extension` reads it: a
/// name that only starts with a dot (`.aql`) has none.
fn extension(name: &str) -> Option<&str> {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match file.rfind('.') {
        Some(dot) if dot > 0 => Some(&file[dot + 1..]),
        _ => None,
    }
}

/// Whether a directory walk should check a file of this name.
pub fn is_definition_file_name(name: &str) -> bool {
    extension(name).is_some_and(|ext| DEFINITION_EXTENSIONS.iter().any(|known| known.eq_ignore_ascii_case(ext)))
}

/// The kind a file's name fixes, if any: `*.aql` is always read as an AQL query (a query may start
/// with a comment or a parenthesis rather than SELECT); every other name leaves the kind to the content.
pub fn kind_from_file_name(name: &str) -> Option<Kind> {
    extension(name).filter(|ext| ext.eq_ignore_ascii_case("aql")).map(|_| Kind::Aql)
}

/// Validates a file's content as its name says ([`kind_from_file_name`]) or, when the name says
/// nothing, as its content says.
pub fn validate_file(name: &str, input: &[u8]) -> Report {
    match kind_from_file_name(name) {
        Some(kind) => validate_as(input, kind),
        None => validate(input),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_names_by_their_ending_in_any_case() {
        for name in ["a.opt", "dir/b.XML", "c.adls", "d.adlt", "e.ADL", "q.aql", "C:\\x\\y.Aql", "a.b.opt"] {
            assert!(is_definition_file_name(name), "{name}");
        }
        for name in ["a.json", "opt", ".opt", "dir.opt/readme", "a.opt.bak", "a.", ""] {
            assert!(!is_definition_file_name(name), "{name}");
        }
    }

    #[test]
    fn only_aql_fixes_the_kind() {
        assert_eq!(kind_from_file_name("queries/bp.AQL"), Some(Kind::Aql));
        assert_eq!(kind_from_file_name("t.opt"), None);
        assert_eq!(kind_from_file_name(".aql"), None);
        assert_eq!(kind_from_file_name("aql"), None);
    }

    #[test]
    fn an_aql_file_is_read_as_aql_even_without_select() {
        let report = validate_file("q.aql", b"-- note\nFROM EHR e");
        assert_eq!(report.kind, Kind::Aql);
        assert!(!report.valid);
        assert_eq!(validate_file("q.txt", b"-- note\nFROM EHR e").kind, Kind::Unknown);
    }
}
