//! Checks that need no database: every variable used is defined in FROM (`AQL010`), no variable
//! is defined twice (`AQL011`), no two columns share an alias (`AQL012`). Archetype ids are
//! checked where the parser meets them (`AQL013`).

use super::parse::Facts;
use crate::diagnostic::Code;
use crate::sink::Sink;
use std::collections::HashSet;

pub(super) fn check(facts: &Facts, sink: &mut Sink<'_>) {
    let mut defined = HashSet::new();
    for (name, offset) in &facts.defined {
        if !defined.insert(name.as_str()) {
            sink.report(
                Code::AqlDuplicateVariable,
                format!("the variable `{name}` is defined twice"),
                *offset,
                "/from",
            );
        }
    }
    // Without a complete FROM clause every use would look undefined: say nothing then.
    if facts.from_complete {
        for (name, offset, clause) in &facts.used {
            if !defined.contains(name.as_str()) {
                let message = format!("the variable `{name}` is not defined in FROM");
                sink.report(Code::AqlUnknownVariable, message, *offset, clause);
            }
        }
    }
    let mut aliases = HashSet::new();
    for (alias, offset) in &facts.aliases {
        if !aliases.insert(alias.as_str()) {
            sink.report(Code::AqlDuplicateAlias, format!("the alias `{alias}` is used twice"), *offset, "/select");
        }
    }
}
