//! Example compositions per second over every valid fixture OPT: web templates are built once
//! outside the measurement, then each iteration builds one example per template and writes it out
//! (FLAT, STRUCTURED, canonical JSON, XML). Criterion measures; examples/s is printed from the
//! same work.
//!
//! `cargo bench --bench example` (add `-- --quick` for a short smoke run).

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use openehr_definitions::example::{
    DetailLevel, ExampleKind, ExampleOptions, example_canonical, example_flat, example_structured, example_xml,
};
use openehr_definitions::web_template::{WebTemplate, web_template};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/opt14/valid");

fn load_web_templates(dir: &Path) -> Vec<WebTemplate> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths.iter().filter_map(|p| web_template(&std::fs::read(p).expect("fixture"), &Default::default()).ok()).collect()
}

/// Seconds per iteration of `work`, after criterion measured it as `name`.
fn seconds(c: &mut Criterion, name: &str, elements: u64, mut work: impl FnMut()) -> f64 {
    let mut group = c.benchmark_group("example");
    group.throughput(Throughput::Elements(elements));
    group.bench_function(name, |b| b.iter(&mut work));
    group.finish();
    // Criterion keeps its estimates to itself; time a few iterations the same way for the figure.
    let runs = 3;
    let start = Instant::now();
    for _ in 0..runs {
        work();
    }
    start.elapsed().as_secs_f64() / f64::from(runs)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick") || std::env::var_os("BENCH_QUICK").is_some_and(|v| v == "1");
    let (warm, measure) = if quick {
        (Duration::from_millis(200), Duration::from_secs(1))
    } else {
        (Duration::from_secs(1), Duration::from_secs(5))
    };
    let mut c = Criterion::default().sample_size(10).warm_up_time(warm).measurement_time(measure).configure_from_args();
    let wts = load_web_templates(Path::new(CORPUS));
    let n = u64::try_from(wts.len()).unwrap_or(0);
    let mut figures = Vec::new();
    for (name, kind, detail) in [
        ("flat input required", ExampleKind::Input, DetailLevel::Required),
        ("flat input medium", ExampleKind::Input, DetailLevel::Medium),
        ("flat output complete", ExampleKind::Output, DetailLevel::Complete),
    ] {
        let options = ExampleOptions { kind, detail, language: None };
        let s = seconds(&mut c, name, n, || {
            for wt in &wts {
                black_box(example_flat(black_box(wt), &options).to_json());
            }
        });
        figures.push((name, s));
    }
    let options = ExampleOptions { kind: ExampleKind::Output, detail: DetailLevel::Complete, language: None };
    let s = seconds(&mut c, "structured output complete", n, || {
        for wt in &wts {
            black_box(example_structured(black_box(wt), &options).to_json());
        }
    });
    figures.push(("structured output complete", s));
    let s = seconds(&mut c, "canonical json complete", n, || {
        for wt in &wts {
            black_box(example_canonical(black_box(wt), &options).to_json());
        }
    });
    figures.push(("canonical json complete", s));
    let s = seconds(&mut c, "canonical xml complete", n, || {
        for wt in &wts {
            black_box(example_xml(black_box(wt), &options));
        }
    });
    figures.push(("canonical xml complete", s));
    println!("\ncorpus: {} web templates ({CORPUS})", wts.len());
    for (name, s) in figures {
        println!("{name:<28} {:>10.0} examples/s", wts.len() as f64 / s);
    }
    // The largest OPT, as `exampleComposition(opt)` and `GET .../example` do it: web template, then example.
    let (name, opt) = largest_opt(Path::new(CORPUS));
    let options = ExampleOptions::default();
    let runs = if quick { 5 } else { 21 };
    let with_template = median_ms(runs, || {
        let wt = web_template(black_box(&opt), &Default::default()).expect("valid");
        black_box(example_flat(&wt, &options).to_json());
    });
    let wt = web_template(&opt, &Default::default()).expect("valid");
    let example_only = median_ms(runs, || {
        black_box(example_flat(black_box(&wt), &options).to_json());
    });
    println!(
        "largest {name}: example (flat, required) {with_template:.3} ms with its web template, {example_only:.3} ms from a built one"
    );
}

fn largest_opt(dir: &Path) -> (String, Vec<u8>) {
    let path = std::fs::read_dir(dir)
        .expect("corpus")
        .map(|entry| entry.expect("directory entry").path())
        .max_by_key(|p| p.metadata().map(|m| m.len()).unwrap_or(0))
        .expect("an OPT");
    (path.file_name().unwrap_or_default().to_string_lossy().into_owned(), std::fs::read(&path).expect("fixture"))
}

/// Median milliseconds of `runs` calls of `work`.
fn median_ms(runs: usize, mut work: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}
