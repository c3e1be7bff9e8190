//! Per-RM-type fix-ups of a node's children once they are built, as the reference's
//! post-processors do them: coded text with `other`, `dependsOn` targets, category placement.

use super::Input;
use super::build::BNode;

/// Per-RM-type fix-ups after the children are built (the reference's post-processors).
pub(super) fn post_process(b: &mut BNode) {
    let path = b.node.aql_path.clone();
    let depends = |b: &mut BNode, prefixes: &[&str], target: &str| {
        for c in &mut b.children {
            if prefixes.iter().any(|p| c.node.aql_path.starts_with(&format!("{path}/{p}"))) {
                c.depends_on = Some(vec![format!("{path}/{target}")]);
            }
        }
    };
    match b.node.rm_type.as_str() {
        "ELEMENT" => {
            if b.children.len() == 2 {
                let first = b.children[0].node.inputs.first().map(|i| i.input_type.clone());
                let second = b.children[1].node.inputs.first().map(|i| i.input_type.clone());
                let pair = (first.as_deref(), second.as_deref());
                let coded = match pair {
                    (Some("CODED_TEXT"), Some("TEXT")) => Some((0, 1)),
                    (Some("TEXT"), Some("CODED_TEXT")) => Some((1, 0)),
                    _ => None,
                };
                if let Some((coded, text)) = coded {
                    let node = &mut b.children[coded].node;
                    if let Some(first) = node.inputs.first_mut() {
                        first.list_open = Some(true);
                    }
                    node.inputs.push(other_input());
                    b.children.remove(text);
                }
            }
            if b.children.len() > 1 {
                for c in &mut b.children {
                    c.node.min = 0;
                }
            }
        }
        "ACTION" => depends(b, &["protocol"], "instruction_details"),
        "EVALUATION" => depends(b, &["protocol"], "data"),
        "INSTRUCTION" => depends(b, &["protocol"], "activities"),
        "OBSERVATION" => depends(b, &["state", "protocol"], "data"),
        "EVENT" | "POINT_EVENT" | "INTERVAL_EVENT" => depends(b, &["state"], "data"),
        "DV_PROPORTION" => b.children.clear(),
        "DV_PARSABLE" => {
            b.children.clear();
            b.node.inputs = vec![Input { input_type: "TEXT".to_owned(), ..Input::default() }];
        }
        "COMPOSITION" => {
            let category = b.children.iter().position(|c| c.node.aql_path == "/category");
            let language = b.children.iter().position(|c| c.node.aql_path == "/language");
            if let Some(category) = category {
                let c = b.children.remove(category);
                match language {
                    None => b.children.push(c),
                    Some(l) => {
                        let at = if l > category { l - 1 } else { l };
                        b.children.insert(at.min(b.children.len()), c);
                    }
                }
            }
        }
        _ => {}
    }
}

pub(super) fn other_input() -> Input {
    Input { suffix: Some("other".to_owned()), input_type: "TEXT".to_owned(), ..Input::default() }
}
