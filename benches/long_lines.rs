//! Inputs whose errors all sit on one long line: the cost per byte at 16 KB and at 1 MB, and
//! their ratio. A ratio near 1 means linear; positions or error recovery that rescan the line
//! per diagnostic make it grow with the size (fuzzing found 16 KB headers taking 5 ms).
//!
//! `cargo bench --bench long_lines` (about 2 s per measurement; `-- --quick` about 0.3 s).

use std::hint::black_box;
use std::time::{Duration, Instant};

fn main() {
    let quick = std::env::args().any(|a| a == "--quick") || std::env::var_os("BENCH_QUICK").is_some_and(|v| v == "1");
    let budget = if quick { Duration::from_millis(300) } else { Duration::from_secs(2) };
    let cases = [
        Case {
            name: "parse_adl2_header, `x=;` items",
            make: |n| {
                format!("archetype (é {}adl_version=2.0.6)\n\topenEHR-EHR-OBSERVATION.x.v1.0.0\n", "x=; ".repeat(n))
            },
            run: |t| openehr_definitions::parse_adl2_header(t).diagnostics.len(),
        },
        Case {
            name: "parse_aql, `e/a = ;` conditions",
            make: |n| format!("SELECT e FROM EHR e WHERE {}", "e/a = ; ".repeat(n)),
            run: |t| openehr_definitions::parse_aql(t).diagnostics.len(),
        },
        Case {
            name: "validate_opt, unknown elements",
            make: |n| format!("<template xmlns='http://schemas.openehr.org/v1'>{}</template>", "<bogus/>".repeat(n)),
            run: |t| openehr_definitions::validate_opt(t.as_bytes()).diagnostics.len(),
        },
    ];
    println!(
        "{:<36} {:>12} {:>12} {:>12} {:>8}",
        "one line of errors", "diagnostics", "16 KB ns/B", "1 MB ns/B", "ratio"
    );
    for Case { name, make, run } in cases {
        let unit = make(1).len() - make(0).len();
        let small = make(16 * 1024 / unit);
        let large = make(1024 * 1024 / unit);
        let per_byte = |text: &str| time(budget, || run(text)) / text.len() as f64;
        let (s, l) = (per_byte(&small), per_byte(&large));
        println!("{name:<36} {:>12} {:>12.1} {:>12.1} {:>7.2}x", run(&large), s, l, l / s);
    }
}

/// One input shape: `make(n)` repeats its broken unit `n` times; `run` counts the diagnostics.
struct Case {
    name: &'static str,
    make: fn(usize) -> String,
    run: fn(&str) -> usize,
}

/// Nanoseconds per call: the median of 5 runs, each of as many calls as fit in a fifth of `budget`.
fn time(budget: Duration, mut work: impl FnMut() -> usize) -> f64 {
    let mut runs: Vec<f64> = (0..5)
        .map(|_| {
            let start = Instant::now();
            let mut calls = 0u32;
            while start.elapsed() < budget / 5 || calls == 0 {
                black_box(work());
                calls += 1;
            }
            start.elapsed().as_nanos() as f64 / f64::from(calls)
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[2]
}
