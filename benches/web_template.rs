//! Throughput of the web template builder against `validate_opt` over the same corpus, in the
//! same run, plus the time for the largest OPT (International Patient Summary, ~1.9 MB).
//! Criterion measures each; the ratio and the per-file time come from interleaved passes.
//!
//! `cargo bench --bench web_template` (add `-- --quick` for a short smoke run).

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use openehr_definitions::validate_opt;
use openehr_definitions::web_template::{Options, web_template};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/opt14/valid");
const LARGEST: &str = "ehrbase_integration_test__all_types__International_Patient_Summary.opt";

fn load_corpus(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            (name, std::fs::read(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display())))
        })
        .collect()
}

/// Runs `work` as a criterion benchmark `name` (throughput in bytes).
fn bench(c: &mut Criterion, name: &str, bytes: u64, mut work: impl FnMut()) {
    let mut group = c.benchmark_group("web_template");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function(name, |b| b.iter(&mut work));
    group.finish();
}

/// Median seconds of `a` and of `b`, timed alternately so both see the same machine load (the
/// shared CI cores make back-to-back measurements drift).
fn interleaved(runs: usize, mut a: impl FnMut(), mut b: impl FnMut()) -> (f64, f64) {
    let (mut ta, mut tb) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    for _ in 0..runs {
        let start = Instant::now();
        a();
        ta.push(start.elapsed().as_secs_f64());
        let start = Instant::now();
        b();
        tb.push(start.elapsed().as_secs_f64());
    }
    ta.sort_by(f64::total_cmp);
    tb.sort_by(f64::total_cmp);
    (ta[runs / 2], tb[runs / 2])
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick") || std::env::var_os("BENCH_QUICK").is_some_and(|v| v == "1");
    let (warm, measure) = if quick {
        (Duration::from_millis(200), Duration::from_secs(1))
    } else {
        (Duration::from_secs(1), Duration::from_secs(5))
    };
    let mut c = Criterion::default().sample_size(10).warm_up_time(warm).measurement_time(measure).configure_from_args();
    let corpus = load_corpus(Path::new(CORPUS));
    let bytes: usize = corpus.iter().map(|(_, b)| b.len()).sum();
    let total = u64::try_from(bytes).unwrap_or(u64::MAX);
    let options = Options::default();
    let validate_all = || {
        for (_, file) in &corpus {
            black_box(validate_opt(black_box(file)));
        }
    };
    let build_all = || {
        for (_, file) in &corpus {
            let _ = black_box(web_template(black_box(file), &options));
        }
    };
    bench(&mut c, "validate_opt corpus", total, validate_all);
    bench(&mut c, "web_template corpus", total, build_all);
    let largest = corpus.iter().find(|(n, _)| n == LARGEST).map(|(_, b)| b.clone()).expect("the IPS fixture");
    let build_largest = || {
        let _ = black_box(web_template(black_box(&largest), &options));
    };
    bench(&mut c, "web_template IPS", u64::try_from(largest.len()).unwrap_or(0), build_largest);

    let runs = if quick { 5 } else { 11 };
    let (validate, build) = interleaved(runs, validate_all, build_all);
    let (_, ips) = interleaved(runs, || {}, build_largest);
    let mb = bytes as f64 / 1e6;
    println!("\ncorpus: {} files, {mb:.1} MB; medians of {runs} interleaved passes", corpus.len());
    println!("validate_opt  {:>8.1} MB/s", mb / validate);
    println!("web_template  {:>8.1} MB/s  ({:.2}x validate_opt; goal >= 0.25x)", mb / build, validate / build);
    println!("web_template of {LARGEST} ({:.1} MB): {:.1} ms", largest.len() as f64 / 1e6, ips * 1e3);
}
