//! Throughput of the AQL parser on every real query in `tests/fixtures/aql/valid`: queries per
//! second and MB/s for parsing with the checks (`parse_aql`), and for the printer round trip.
//!
//! `cargo bench --bench aql` runs each measurement for about 2 s (median of 5 runs);
//! `-- --quick` or `BENCH_QUICK=1` runs about 0.3 s each, as a smoke test for CI.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/aql/valid");
const RUNS: u32 = 5;

fn main() {
    let quick = std::env::args().any(|a| a == "--quick") || std::env::var_os("BENCH_QUICK").is_some_and(|v| v == "1");
    let budget = if quick { Duration::from_millis(300) } else { Duration::from_secs(2) };
    let corpus = load_corpus(Path::new(CORPUS));
    let bytes: usize = corpus.iter().map(String::len).sum();
    println!("corpus: {} queries, {:.1} KB ({})", corpus.len(), bytes as f64 / 1e3, CORPUS);
    let invalid = corpus.iter().filter(|q| !openehr_definitions::parse_aql(q).is_valid()).count();
    println!("parse_aql flags {invalid} of {} queries as invalid (expected 0)", corpus.len());
    println!("about {:.1} s per measurement, median of {RUNS} runs\n", budget.as_secs_f64());

    let parse = measure(&corpus, budget, |q| openehr_definitions::parse_aql(q).diagnostics.len());
    let round_trip = measure(&corpus, budget, |q| {
        openehr_definitions::parse_aql(q).query.map_or(0, |query| query.to_string().len())
    });

    println!("{:<32} {:>14} {:>10}", "measurement", "queries/s", "MB/s");
    for (name, (qps, mbps)) in [("parse_aql", parse), ("parse_aql + print", round_trip)] {
        println!("{name:<32} {qps:>14.0} {mbps:>10.1}");
    }
}

/// Every query of the corpus, in name order, read up front so no I/O is timed.
fn load_corpus(dir: &Path) -> Vec<String> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display())))
        .collect()
}

/// (queries/s, MB/s) of `work` over the whole corpus: the median of `RUNS` runs, each repeating
/// whole corpus passes until its share of `budget` is used.
fn measure(corpus: &[String], budget: Duration, work: impl Fn(&str) -> usize) -> (f64, f64) {
    let bytes: usize = corpus.iter().map(String::len).sum();
    let pass = || {
        for query in corpus {
            black_box(work(black_box(query)));
        }
    };
    pass(); // warm caches and the allocator
    let per_run = budget / RUNS;
    let mut rates: Vec<(f64, f64)> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let mut passes = 0u32;
            while passes == 0 || start.elapsed() < per_run {
                pass();
                passes += 1;
            }
            let seconds = start.elapsed().as_secs_f64();
            let passes = f64::from(passes);
            (corpus.len() as f64 * passes / seconds, bytes as f64 * passes / 1e6 / seconds)
        })
        .collect();
    rates.sort_by(|a, b| a.0.total_cmp(&b.0));
    rates[rates.len() / 2]
}
