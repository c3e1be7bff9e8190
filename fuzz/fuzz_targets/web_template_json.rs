//! A web template given as JSON (what `validateFlat`, `exampleComposition` and the CLI accept in
//! place of an OPT), then a composition after the first NUL byte: reading the template, checking
//! the composition against it, converting it and writing every kind of example never panic or
//! hang, whatever the tree says (the builder's invariants do not hold for a hand-written tree).
#![no_main]

use libfuzzer_sys::fuzz_target;
use openehr_definitions::example::{DetailLevel, ExampleFormat, ExampleKind, ExampleOptions, example};
use openehr_definitions::flat::{structured_to_flat, validate_flat};
use openehr_definitions::web_template::{WebTemplate, web_template_json};

fuzz_target!(|data: &[u8]| {
    let (template, composition) = match data.iter().position(|&b| b == 0) {
        Some(nul) => (&data[..nul], &data[nul + 1..]),
        None => (data, &b"{}"[..]),
    };
    let Some(json) = web_template_json(template) else { return };
    let Ok(wt) = serde_json::from_slice::<WebTemplate>(json) else { return };
    if let Ok(text) = std::str::from_utf8(composition) {
        let _ = validate_flat(&wt, text);
        if let Ok(flat) = structured_to_flat(&wt, text) {
            let _ = validate_flat(&wt, &flat);
        }
    }
    let complete = ExampleOptions { kind: ExampleKind::Output, detail: DetailLevel::Complete, language: None };
    for options in [ExampleOptions::default(), complete] {
        for format in ExampleFormat::ALL {
            let _ = example(&wt, format, &options);
        }
    }
});
