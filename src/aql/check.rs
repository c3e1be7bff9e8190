//! Checks that need no database: every variable used is defined in FROM (`AQL010`; ORDER BY
//! may also name a SELECT alias), no variable
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
    // ORDER BY may name a SELECT alias on its own (`ORDER BY time_created DESC`).
    if facts.from_complete {
        let is_alias = |name: &str| facts.aliases.iter().any(|(alias, _)| alias == name);
        for used in &facts.used {
            let ordered_alias = used.clause == "/order_by" && used.bare && is_alias(&used.name);
            if !defined.contains(used.name.as_str()) && !ordered_alias {
                let message = format!("the variable `{}` is not defined in FROM", used.name);
                sink.report(Code::AqlUnknownVariable, message, used.offset, used.clause);
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
