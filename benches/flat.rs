//! Throughput of FLAT validation over the real composition corpus (tests/fixtures/flat/, each
//! against its template's web template, built once beforehand): compositions/s and MB/s, plus
//! the time for the largest composition.
//!
//! `cargo bench --bench flat` (add `-- --quick` for a short smoke run).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use openehr_definitions::flat::{validate_flat, validate_flat_opt};
use openehr_definitions::web_template::{WebTemplate, web_template};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/flat");

/// (composition name, text, web template, OPT bytes) for every MANIFEST row.
fn load() -> Vec<(String, String, WebTemplate, Vec<u8>)> {
    let manifest = std::fs::read_to_string(format!("{DIR}/MANIFEST.tsv")).expect("flat MANIFEST.tsv");
    let mut templates: Vec<(String, WebTemplate, Vec<u8>)> = Vec::new();
    let mut out = Vec::new();
    for line in manifest.lines().skip(1) {
        let mut f = line.split('\t');
        let (Some(file), Some(template)) = (f.next(), f.next()) else { continue };
        if !templates.iter().any(|(t, _, _)| t == template) {
            let opt = std::fs::read(format!("{DIR}/{template}")).expect("template");
            let wt = web_template(&opt, &Default::default()).expect("web template");
            templates.push((template.to_string(), wt, opt));
        }
        let (_, wt, opt) = templates.iter().find(|(t, _, _)| t == template).cloned().expect("template");
        let text = std::fs::read_to_string(format!("{DIR}/{file}")).expect("composition");
        out.push((file.to_string(), text, wt, opt));
    }
    out
}

fn median(runs: usize, mut work: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[runs / 2]
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick") || std::env::var_os("BENCH_QUICK").is_some_and(|v| v == "1");
    let (warm, measure) = if quick {
        (Duration::from_millis(200), Duration::from_secs(1))
    } else {
        (Duration::from_secs(1), Duration::from_secs(5))
    };
    let mut c = Criterion::default().sample_size(10).warm_up_time(warm).measurement_time(measure).configure_from_args();
    let corpus = load();
    let bytes: usize = corpus.iter().map(|(_, t, _, _)| t.len()).sum();
    let all = || {
        for (_, text, wt, _) in &corpus {
            black_box(validate_flat(wt, black_box(text)));
        }
    };
    // What the npm package's validateFlat does per call: build the web template, then validate.
    let with_template = || {
        for (_, text, _, opt) in &corpus {
            let _ = black_box(validate_flat_opt(black_box(opt), black_box(text)));
        }
    };
    let mut group = c.benchmark_group("flat");
    group.throughput(Throughput::Bytes(u64::try_from(bytes).unwrap_or(u64::MAX)));
    group.bench_function("validate_flat corpus", |b| b.iter(all));
    group.finish();
    let (name, text, wt, _) = corpus.iter().max_by_key(|(_, t, _, _)| t.len()).expect("a composition");
    let largest = || {
        black_box(validate_flat(wt, black_box(text)));
    };
    let runs = if quick { 5 } else { 21 };
    let secs = median(runs, all);
    let secs_with_template = median(runs, with_template);
    let big = median(runs * 5, largest);
    let mb = bytes as f64 / 1e6;
    println!("\ncorpus: {} compositions, {mb:.2} MB; medians of {runs} passes", corpus.len());
    println!("validate_flat {:>10.0} compositions/s {:>8.1} MB/s", corpus.len() as f64 / secs, mb / secs);
    println!(
        "validate_flat_opt {:>6.0} compositions/s {:>8.1} MB/s (web template built per call)",
        corpus.len() as f64 / secs_with_template,
        mb / secs_with_template
    );
    println!("largest {name} ({:.1} kB): {:.3} ms", text.len() as f64 / 1e3, big * 1e3);
}
