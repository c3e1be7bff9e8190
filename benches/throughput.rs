//! Throughput of the OPT validator against a bare quick-xml event loop over the same bytes, on
//! every real OPT in `tests/fixtures/opt14/valid`. The ratios say what the validation costs on
//! top of tokenizing the XML at all.
//!
//! `cargo bench --bench throughput` runs each measurement for about 2 s (median of 5 runs);
//! `-- --quick` or `BENCH_QUICK=1` runs about 0.3 s each, as a smoke test for CI.

use quick_xml::Reader;
use quick_xml::events::Event;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/opt14/valid");
const RUNS: u32 = 5;

fn main() {
    let quick = std::env::args().any(|a| a == "--quick") || std::env::var_os("BENCH_QUICK").is_some_and(|v| v == "1");
    let budget = if quick { Duration::from_millis(300) } else { Duration::from_secs(2) };
    let corpus = load_corpus(Path::new(CORPUS));
    let bytes: usize = corpus.iter().map(Vec::len).sum();
    println!("corpus: {} files, {:.1} MB ({})", corpus.len(), bytes as f64 / 1e6, CORPUS);
    let invalid = corpus.iter().filter(|f| !openehr_definitions::validate_opt(f).is_valid()).count();
    println!("validate_opt flags {invalid} of {} files as invalid (expected 0)", corpus.len());
    println!("about {:.1} s per measurement, median of {RUNS} runs\n", budget.as_secs_f64());

    let baseline = measure(&corpus, budget, quick_xml_events);
    let metadata = measure(&corpus, budget, |f| openehr_definitions::parse_opt_metadata(f).diagnostics.len());
    let validate = measure(&corpus, budget, |f| openehr_definitions::validate_opt(f).diagnostics.len());

    println!("{:<36} {:>10} {:>14}", "measurement", "MB/s", "vs quick-xml");
    for (name, mbps) in [
        ("(a) quick-xml event loop (baseline)", baseline),
        ("(b) parse_opt_metadata", metadata),
        ("(c) validate_opt", validate),
    ] {
        println!("{name:<36} {mbps:>10.1} {:>13.2}x", mbps / baseline);
    }
}

/// Every file of the corpus, in name order, read up front so no I/O is timed.
fn load_corpus(dir: &Path) -> Vec<Vec<u8>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))).collect()
}

/// The honest floor: UTF-8 check plus a borrowing quick-xml event loop that touches every event,
/// with the reader style (`from_str` + `read_event`) and well-formedness checks the validator
/// uses, but without its namespace resolution, which is part of the work being measured.
fn quick_xml_events(input: &[u8]) -> usize {
    let Ok(text) = std::str::from_utf8(input) else { return 0 };
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;
    config.expand_empty_elements = false;
    let mut events = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(event) => {
                black_box(&event);
                events += 1;
            }
        }
    }
    events
}

/// MB/s of `work` over the whole corpus: the median of `RUNS` runs, each repeating whole
/// corpus passes until its share of `budget` is used.
fn measure(corpus: &[Vec<u8>], budget: Duration, work: impl Fn(&[u8]) -> usize) -> f64 {
    let bytes: usize = corpus.iter().map(Vec::len).sum();
    let pass = || {
        for file in corpus {
            black_box(work(black_box(file)));
        }
    };
    pass(); // warm caches and the allocator
    let per_run = budget / RUNS;
    let mut rates: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let mut passes = 0u32;
            while passes == 0 || start.elapsed() < per_run {
                pass();
                passes += 1;
            }
            (bytes as f64 * f64::from(passes)) / 1e6 / start.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}
