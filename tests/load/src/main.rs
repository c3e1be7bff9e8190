//! `load-server --data-dir DIR --templates N`: seeds DIR with N small synthetic OPTs (distinct
//! template_ids, one real fixture as the base) through the API's bulk import, stores the query
//! `load::q` version 1.0.0, then serves on 127.0.0.1:0 and prints `listening on http://ADDR`.

use openehr_defs_api::{Config, KvStore, bulk_upload_opt14, handle};
use openehr_defs_server::{ServeConfig, SqliteStore, serve};
use std::path::PathBuf;
use std::process::ExitCode;

const BASE_FIXTURE: &str = "../fixtures/opt14/valid/ehrbase_integration_test__opt__minimal_action.opt";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("load-server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut data_dir = None;
    let mut templates = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--data-dir" => data_dir = Some(PathBuf::from(value)),
            "--templates" => templates = value.parse().map_err(|_| format!("bad --templates {value}"))?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let data_dir = data_dir.ok_or("--data-dir is required")?;
    seed(&data_dir, templates)?;
    serve(ServeConfig {
        addr: "127.0.0.1:0".parse().map_err(|e| format!("{e}"))?,
        data_dir,
        www_dir: None,
        api: Config::default(),
    })
    .map_err(|e| e.to_string())
}

fn seed(data_dir: &std::path::Path, templates: usize) -> Result<(), String> {
    let store = SqliteStore::open(data_dir, 1).map_err(|e| e.to_string())?;
    let base_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(BASE_FIXTURE);
    let base = std::fs::read_to_string(&base_path).map_err(|e| format!("{}: {e}", base_path.display()))?;
    let marker = "<value>minimal_action.en.v1_{{randomize}}</value>";
    if !base.contains(marker) {
        return Err("the base fixture's template_id changed".into());
    }
    let bodies: Vec<Vec<u8>> = (0..templates)
        .map(|i| base.replacen(marker, &format!("<value>load.template.{i:06}</value>"), 1).into_bytes())
        .collect();
    let outcome = bulk_upload_opt14(&store, &bodies).map_err(|e| e.to_string())?;
    eprintln!("seeded {} templates ({} conflicts, {} invalid)", outcome.created, outcome.conflicts, outcome.invalid);
    let put = http_request("PUT", "/v1/definition/query/load::q/1.0.0", b"SELECT c FROM COMPOSITION c".to_vec())?;
    let status = handle(put, &store as &dyn KvStore, &Config::default()).status();
    eprintln!("stored query load::q/1.0.0: {status}");
    Ok(())
}

fn http_request(method: &str, uri: &str, body: Vec<u8>) -> Result<http::Request<Vec<u8>>, String> {
    http::Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "text/plain")
        .body(body)
        .map_err(|e| e.to_string())
}
