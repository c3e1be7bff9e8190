//! `spin-test-host`: serves a Spin HTTP component on loopback the way Spin does (one fresh instance per
//! request), with in-memory stand-ins for the Spin key-value store (with the semantics of one of Spin's
//! backends, `--store`) and variables. Test-only: no TLS, no outbound HTTP, no persistence.

mod args;
mod backend;
mod bindings;
mod kv;
mod routes;
mod server;
mod state;
mod variables;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match args::Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("spin-test-host: {message}\n\n{}", args::USAGE);
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("spin-test-host: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(server::run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("spin-test-host: {error:?}");
            ExitCode::FAILURE
        }
    }
}
