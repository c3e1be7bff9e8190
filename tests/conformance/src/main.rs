//! `conformance --base-url http://127.0.0.1:PORT/v1 [--token T] [--fixtures DIR] [--max-body-bytes N]`:
//! runs the suite against a running server; the last line is `N passed, N failed`, exit 1 on failure.

use conformance::{Http, Options, run_all};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut options = Options::for_repository();
    let mut base_url = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        let parsed = match arg.as_str() {
            "--base-url" => value().map(|v| base_url = Some(v)),
            "--token" => value().map(|v| options.write_token = Some(v)),
            "--fixtures" => value().map(|v| options.fixtures_dir = v.into()),
            "--max-body-bytes" => value()
                .and_then(|v| v.parse().map_err(|_| format!("bad --max-body-bytes {v}")))
                .map(|v| options.max_body_bytes = v),
            other => Err(format!("unknown argument {other}")),
        };
        if let Err(e) = parsed {
            eprintln!("conformance: {e}");
            return ExitCode::from(2);
        }
    }
    let Some(base_url) = base_url else {
        eprintln!(
            "usage: conformance --base-url http://HOST:PORT/v1 [--token T] [--fixtures DIR] [--max-body-bytes N]"
        );
        return ExitCode::from(2);
    };
    let transport = match Http::new(&base_url) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("conformance: {e}");
            return ExitCode::from(2);
        }
    };
    let report = run_all(&transport, &options);
    println!("{}", report.render());
    if report.failed() == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
