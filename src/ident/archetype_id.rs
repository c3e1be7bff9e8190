//! The ADL 1.4 archetype id rule.

use super::scan::{Scanner, name, number};
use crate::diagnostic::{Code, Diagnostic};

/// Checks an ADL 1.4 archetype id: `openEHR-EHR-OBSERVATION.blood_pressure.v1`.
///
/// The shape is `rm_originator-rm_name-rm_entity.concept{-specialisation}*.vN`, where every
/// name part is `[A-Za-z][A-Za-z0-9_]*` and `N` is a decimal number without leading zeros
/// (ADL 1.4 `V_NAME` parts). Specialisations are joined with `-`
/// (`openEHR-EHR-CLUSTER.device-ventilator.v0`). All 289 distinct archetype ids of the 177
/// real OPTs in `tests/fixtures/opt14/valid` have this shape, so no wider form is accepted.
/// Errors are `ID001` (empty) or `ID006`, naming the wrong part at its column.
pub fn check_archetype_id_14(id: &str) -> Result<(), Diagnostic> {
    if id.is_empty() {
        return Err(Diagnostic::new(Code::IdEmpty, "the archetype id is empty", 1, 1, ""));
    }
    let mut scan = Scanner::new(id);
    name(&mut scan, "RM originator")?;
    expect(&mut scan, '-', "after the RM originator")?;
    name(&mut scan, "RM name")?;
    expect(&mut scan, '-', "after the RM name")?;
    name(&mut scan, "RM entity")?;
    expect(&mut scan, '.', "after the RM entity")?;
    name(&mut scan, "concept")?;
    while scan.eat('-') {
        name(&mut scan, "specialisation")?;
    }
    expect(&mut scan, '.', "after the concept")?;
    expect(&mut scan, 'v', "to start the version")?;
    number(&mut scan, "version number")?;
    if let Some(c) = scan.peek() {
        return Err(scan.error(Code::IdMalformed, format!("unexpected `{c}` after the version")));
    }
    Ok(())
}

/// Consumes `c` or fails with a message saying where it was expected.
pub(crate) fn expect(scan: &mut Scanner<'_>, c: char, context: &str) -> Result<(), Diagnostic> {
    if scan.eat(c) {
        return Ok(());
    }
    let found = scan.peek().map_or_else(|| "the end".to_string(), |f| format!("`{f}`"));
    Err(scan.error(Code::IdMalformed, format!("expected `{c}` {context}, found {found}")))
}
