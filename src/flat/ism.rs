//! The ACTION instruction state machine (openEHR EHR IM, ISM_TRANSITION): the `current_state` must
//! be a state the `careflow_step` allows (its `currentStates` in the web template), and a given
//! `transition` must lead to that state.

use crate::diagnostic::{Code, Diagnostic};
use crate::json::Pos;
use crate::web_template::Node;

/// The state each openEHR ISM transition (group "instruction transitions") ends in.
const TRANSITION_TARGET: &[(&str, &str, &str)] = &[
    ("535", "initiate", "526"),
    ("536", "plan step", "526"),
    ("537", "postpone", "527"),
    ("538", "restore", "526"),
    ("166", "cancel", "528"),
    ("542", "postponed step", "527"),
    ("539", "schedule", "529"),
    ("540", "start", "245"),
    ("541", "do", "532"),
    ("543", "active step", "245"),
    ("544", "suspend", "530"),
    ("545", "suspended step", "530"),
    ("546", "resume", "245"),
    ("547", "abort", "531"),
    ("548", "finish", "532"),
    ("549", "time out", "533"),
    ("550", "notify aborted", "531"),
    ("551", "notify completed", "532"),
    ("552", "notify cancelled", "528"),
];

/// The `|code` values of one ISM_TRANSITION instance, with the key and position of each.
#[derive(Default)]
pub struct IsmCodes {
    pub current_state: Option<(String, Pos, String)>,
    pub careflow_step: Option<(String, Pos, String)>,
    pub transition: Option<(String, Pos, String)>,
}

/// Checks one ISM_TRANSITION instance of `node`.
pub fn check(node: &Node, codes: &IsmCodes, out: &mut Vec<Diagnostic>) {
    let Some((state, pos, key)) = &codes.current_state else { return };
    let diag = |code: Code, msg: String| Diagnostic::new(code, msg, pos.line, pos.column, key.clone());
    if let Some((tcode, tpos, tkey)) = &codes.transition
        && let Some((_, name, target)) = TRANSITION_TARGET.iter().find(|(c, _, _)| c == tcode)
        && target != state
    {
        let msg = format!("transition {tcode} ({name}) ends in state {target}, not in current_state {state}");
        out.push(Diagnostic::new(Code::FlatIsmTransition, msg, tpos.line, tpos.column, tkey.clone()));
    }
    let Some((step, _, _)) = &codes.careflow_step else { return };
    let allowed = node
        .children
        .iter()
        .find(|c| c.id == "careflow_step")
        .and_then(|c| c.inputs.iter().find(|i| i.suffix.as_deref() == Some("code")))
        .and_then(|i| i.list.iter().find(|c| &c.value == step))
        .and_then(|c| c.current_states.as_ref());
    let Some(allowed) = allowed else { return };
    if allowed.iter().any(|s| s == state) {
        return;
    }
    let states = allowed.join(", ");
    if codes.transition.is_none() {
        out.push(diag(
            Code::FlatIsmMissingTransition,
            format!("careflow_step {step} is in state {states}; current_state {state} needs a transition"),
        ));
    } else {
        out.push(diag(
            Code::FlatIsmState,
            format!("careflow_step {step} allows state {states}, not current_state {state}"),
        ));
    }
}
