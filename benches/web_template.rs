//! Throughput of the web template builder against `validate_opt` over the same corpus, in the
//! same run, plus the time for the largest OPT (International Patient Summary, ~1.9 MB).
//! Criterion measures; the ratio and the per-file time are printed from its estimates.
//!
//! `cargo bench --bench web_template` (add `-- --quick` for a short smoke run).

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

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

/// Seconds per iteration of `work`, from a criterion run of `name`.
fn seconds(c: &mut Criterion, name: &str, bytes: u64, mut work: impl FnMut()) -> f64 {
    let mut group = c.benchmark_group("web_template");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function(name, |b| b.iter(&mut work));
    group.finish();
    // Criterion keeps its estimates to itself; time a few iterations the same way to report ratios.
    let runs = 3;
    let start = std::time::Instant::now();
    for _ in 0..runs {
        work();
    }
    start.elapsed().as_secs_f64() / f64::from(runs)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick") || std::env::var_os("BENCH_QUICK").is_some_and(|v| v == "1");
    let (warm, measure) = if quick { (Duration::from_millis(200), Duration::from_secs(1)) } else { (Duration::from_secs(1), Duration::from_secs(5)) };
    let mut c = Criterion::default().sample_size(10).warm_up_time(warm).measurement_time(measure).configure_from_args();
    let corpus = load_corpus(Path::new(CORPUS));
    let bytes: usize = corpus.iter().map(|(_, b)| b.len()).sum();
    let total = u64::try_from(bytes).unwrap_or(u64::MAX);
    let options = Options::default();
    let validate = seconds(&mut c, "validate_opt corpus", total, || {
        for (_, file) in &corpus {
            black_box(validate_opt(black_box(file)));
        }
    });
    let build = seconds(&mut c, "web_template corpus", total, || {
        for (_, file) in &corpus {
            let _ = black_box(web_template(black_box(file), &options));
        }
    });
    let largest = corpus.iter().find(|(n, _)| n == LARGEST).map(|(_, b)| b.clone()).expect("the IPS fixture");
    let ips = seconds(&mut c, "web_template IPS", u64::try_from(largest.len()).unwrap_or(0), || {
        let _ = black_box(web_template(black_box(&largest), &options));
    });
    let mb = bytes as f64 / 1e6;
    println!("\ncorpus: {} files, {mb:.1} MB", corpus.len());
    println!("validate_opt  {:>8.1} MB/s", mb / validate);
    println!("web_template  {:>8.1} MB/s  ({:.2}x validate_opt; goal >= 0.25x)", mb / build, validate / build);
    println!("web_template of {LARGEST} ({:.1} MB): {:.1} ms", largest.len() as f64 / 1e6, ips * 1e3);
}
