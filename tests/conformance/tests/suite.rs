//! The suite in-process over `MemoryStore` (with a write token) and against the native server on
//! loopback (without one); the race cases on both.

use conformance::{Http, InProcess, Options, RoundRobin, run_all, run_races};
use openehr_defs_api::{Config, MemoryStore};
use openehr_defs_server::{ServeConfig, start};

#[test]
fn in_process_over_memory_store() {
    let token = "conformance-secret".to_owned();
    let transport = InProcess {
        store: MemoryStore::new(),
        config: Config { write_token: Some(token.clone()), ..Config::default() },
    };
    let options = Options { write_token: Some(token), ..Options::for_repository() };
    let report = run_all(&transport, &options);
    println!("{}", report.render());
    assert_eq!(report.failed(), 0, "{}", report.render());
}

#[test]
fn in_process_under_the_rest_openehr_base_path() {
    let transport = InProcess {
        store: MemoryStore::new(),
        config: Config { base_path: "/rest/openehr/v1".into(), ..Config::default() },
    };
    let report = run_all(&transport, &Options::for_repository());
    assert_eq!(report.failed(), 0, "{}", report.render());
}

/// The native server on a free loopback port over a fresh data directory named after `name`; returns
/// its base URL and the directory (the caller removes it).
fn native_server(name: &str) -> (String, std::path::PathBuf) {
    let data_dir = std::env::temp_dir().join(format!("conformance-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let server = start(ServeConfig {
        addr: "127.0.0.1:0".parse().expect("literal address"),
        data_dir: data_dir.clone(),
        www_dir: None,
        api: Config::default(),
    })
    .expect("server starts");
    (format!("http://{}/v1", server.addr), data_dir)
}

#[test]
fn native_server_over_loopback() {
    let (url, data_dir) = native_server("server");
    let transport = Http::new(&url).expect("base URL");
    let report = run_all(&transport, &Options::for_repository());
    println!("{}", report.render());
    let _ = std::fs::remove_dir_all(&data_dir);
    assert_eq!(report.failed(), 0, "{}", report.render());
}

#[test]
fn races_in_process_over_memory_store() {
    let transport = InProcess { store: MemoryStore::new(), config: Config::default() };
    let report = run_races(&transport, &Options::for_repository());
    println!("{}", report.render());
    assert_eq!(report.failed(), 0, "{}", report.render());
    assert_eq!(report.results.len(), 5);
}

/// The races over loopback, spread round-robin over two base URLs (here both the same server).
#[test]
fn races_against_the_native_server_round_robin() {
    let (url, data_dir) = native_server("races");
    let transport = RoundRobin::new(&[url.clone(), url]).expect("base URLs");
    let report = run_races(&transport, &Options { race_writers: 8, ..Options::for_repository() });
    println!("{}", report.render());
    let _ = std::fs::remove_dir_all(&data_dir);
    assert_eq!(report.failed(), 0, "{}", report.render());
}
