//! # conformance
//!
//! The one HTTP conformance suite of the Definitions API. It runs against anything that speaks the
//! API through a [`Transport`]: `handle` in-process ([`InProcess`]), the native server or the Spin
//! component over loopback ([`Http`]). Expectations are computed from the fixture files (their
//! `template_id`s, their bytes) and from `expectations/*.tsv`, never from the implementation.
//!
//! Each case is independent: it makes its own uploads under its own template ids and query names, so one failure
//! hides no other, and any case runs alone ([`run_cases`], `conformance --case ID`, or its `#[test]` in
//! `tests/suite.rs`) or with all the others on one store. Only `store_is_empty` needs an empty store: [`run_all`]
//! runs it first. The server must have the default 8 MiB body limit unless [`Options`] says otherwise.
//!
//! [`run_races`] is a second, separate set of cases: many concurrent writers (creators of one new id, of one
//! query's next version, first-ever writes), also on an empty store. Either set can be spread over several
//! servers sharing one store with [`RoundRobin`].

mod cases;
mod fixtures;
mod races;
mod transport;

pub use transport::{Http, InProcess, Req, Resp, RoundRobin, Transport};

use std::path::PathBuf;

/// What the suite needs to know about the server under test.
#[derive(Debug, Clone)]
pub struct Options {
    /// The repository's `tests/fixtures` directory.
    pub fixtures_dir: PathBuf,
    /// The server's write token: sent with every POST/PUT, and the 401 cases run. `None`: no token cases.
    pub write_token: Option<String>,
    /// The server's body limit (the 413 case sends one byte more).
    pub max_body_bytes: usize,
    /// How many concurrent writers each race case starts.
    pub race_writers: usize,
}

impl Options {
    /// Fixtures of this repository, no token, the default 8 MiB limit.
    pub fn for_repository() -> Self {
        Options {
            fixtures_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures"),
            write_token: None,
            max_body_bytes: 8 * 1024 * 1024,
            race_writers: 24,
        }
    }
}

/// The outcome of one named case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The case's id (`upload_valid_fixtures`), its test's name.
    pub id: &'static str,
    /// What it checks, in words.
    pub name: &'static str,
    pub outcome: Result<(), String>,
}

/// Every case's outcome, in the order they ran.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub results: Vec<CaseResult>,
}

impl Report {
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.outcome.is_ok()).count()
    }

    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }

    /// One line per case, then `N passed, N failed`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for result in &self.results {
            match &result.outcome {
                Ok(()) => out.push_str(&format!("ok   {}: {}\n", result.id, result.name)),
                Err(e) => out.push_str(&format!("FAIL {}: {}: {e}\n", result.id, result.name)),
            }
        }
        out.push_str(&format!("{} passed, {} failed", self.passed(), self.failed()));
        out
    }
}

/// The id of every case, in the order [`run_all`] runs them (`store_is_empty` first).
pub fn case_ids() -> Vec<&'static str> {
    cases::ALL.iter().map(|(id, _, _)| *id).collect()
}

/// Runs every case on one store, `store_is_empty` first (the store must be empty), each independently.
pub fn run_all(transport: &dyn Transport, options: &Options) -> Report {
    let ids = case_ids();
    run_cases(transport, options, &ids).unwrap_or_default()
}

/// Runs the cases named by `ids`, in that order; an unknown id is an error (naming the known ones).
pub fn run_cases(transport: &dyn Transport, options: &Options, ids: &[&str]) -> Result<Report, String> {
    let selected = ids
        .iter()
        .map(|id| {
            cases::ALL
                .iter()
                .find(|(known, _, _)| known == id)
                .ok_or_else(|| format!("unknown case {id:?} (known: {})", case_ids().join(", ")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let suite = cases::Suite { t: transport, options };
    let results = selected.into_iter().map(|(id, name, case)| CaseResult { id, name, outcome: case(&suite) }).collect();
    Ok(Report { results })
}

/// Runs the race cases (see the `races` module): they need an empty store, like [`run_all`], and must be the
/// first requests it sees.
pub fn run_races(transport: &dyn Transport, options: &Options) -> Report {
    races::run(&cases::Suite { t: transport, options })
}
