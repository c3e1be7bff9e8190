//! Arbitrary bytes through the web template builder: never a panic, a tree exactly when the
//! validator finds no error, and sibling ids always unique.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openehr_definitions::validate_opt;
use openehr_definitions::web_template::{Node, Options, web_template};

fn unique_ids(node: &Node) {
    let mut ids = std::collections::HashSet::new();
    for child in &node.children {
        assert!(ids.insert(child.id.as_str()), "duplicate id {} under {}", child.id, node.aql_path);
        unique_ids(child);
    }
}

fuzz_target!(|data: &[u8]| {
    let valid = validate_opt(data).is_valid();
    match web_template(data, &Options::default()) {
        Ok(wt) => {
            assert!(valid, "a tree for an invalid OPT");
            assert_eq!(wt.version, "2.3");
            unique_ids(&wt.tree);
        }
        Err(diagnostics) => {
            assert!(!valid, "no tree for a valid OPT");
            assert!(diagnostics.iter().any(|d| d.is_error()));
        }
    }
});
