//! `conformance --base-url http://127.0.0.1:PORT/v1 [--base-url ...] [--token T] [--fixtures DIR]
//! [--max-body-bytes N] [--case ID]... [--races [--race-writers N]]`: runs the suite's cases (all, or those named
//! by `--case`; `--list` prints the ids), each independently and reported by id, or with `--races` the race
//! cases, against running servers, spreading requests round-robin over the base URLs (servers sharing one
//! store); the last line is `N passed, N failed`, exit 1 on failure. All cases together, and the races, need an
//! empty store.

use conformance::{Options, RoundRobin, case_ids, run_all, run_cases, run_races};
use std::process::ExitCode;

const USAGE: &str = "usage: conformance --base-url http://HOST:PORT/v1 [--base-url URL]... [--token T] \
                     [--fixtures DIR] [--max-body-bytes N] [--case ID]... [--races] [--race-writers N] | --list";

fn main() -> ExitCode {
    let mut options = Options::for_repository();
    let mut base_urls = Vec::new();
    let mut races = false;
    let mut selected: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        let parsed = match arg.as_str() {
            "--base-url" => value().map(|v| base_urls.push(v)),
            "--token" => value().map(|v| options.write_token = Some(v)),
            "--fixtures" => value().map(|v| options.fixtures_dir = v.into()),
            "--max-body-bytes" => value()
                .and_then(|v| v.parse().map_err(|_| format!("bad --max-body-bytes {v}")))
                .map(|v| options.max_body_bytes = v),
            "--case" => value().map(|v| selected.push(v)),
            "--list" => {
                println!("{}", case_ids().join("\n"));
                return ExitCode::SUCCESS;
            }
            "--races" => {
                races = true;
                Ok(())
            }
            "--race-writers" => value()
                .and_then(|v| v.parse().ok().filter(|&n: &usize| n > 0).ok_or(format!("bad --race-writers {v}")))
                .map(|v| options.race_writers = v),
            other => Err(format!("unknown argument {other}")),
        };
        if let Err(e) = parsed {
            eprintln!("conformance: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    if base_urls.is_empty() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let transport = match RoundRobin::new(&base_urls) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("conformance: {e}");
            return ExitCode::from(2);
        }
    };
    let report = if races {
        println!("races: {} writers per group over {}", options.race_writers, base_urls.join(" "));
        run_races(&transport, &options)
    } else if selected.is_empty() {
        run_all(&transport, &options)
    } else {
        let ids: Vec<&str> = selected.iter().map(String::as_str).collect();
        match run_cases(&transport, &options, &ids) {
            Ok(report) => report,
            Err(e) => {
                eprintln!("conformance: {e}");
                return ExitCode::from(2);
            }
        }
    };
    println!("{}", report.render());
    if report.failed() == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
