//! Every case as its own `#[test]` on its own empty store, against three targets: in-process over
//! `MemoryStore` with a write token (`in_process::…`), in-process under the `/rest/openehr/v1` base path
//! (`rest_openehr_base_path::…`), and the native server on loopback without a token (`native_server::…`).
//! `cargo test -p conformance upload_valid_fixtures` runs one case on all three. Then all cases on one shared
//! store, in reverse order (as the `conformance` binary runs them, but backwards: no case relies on another's
//! uploads), and the race cases.

use conformance::{Http, InProcess, Options, RoundRobin, case_ids, run_all, run_cases, run_races};
use openehr_defs_api::{Config, MemoryStore};
use openehr_defs_server::{ServeConfig, start};

const TOKEN: &str = "conformance-secret";

/// Asserts the one case `id` passes (a run of exactly that case).
fn assert_case(transport: &dyn conformance::Transport, options: &Options, id: &str) {
    let report = run_cases(transport, options, &[id]).expect("known case");
    assert_eq!(report.results.len(), 1);
    assert_eq!(report.failed(), 0, "{}", report.render());
}

fn in_process_with_token(id: &str) {
    let transport = InProcess {
        store: MemoryStore::new(),
        config: Config { write_token: Some(TOKEN.to_owned()), ..Config::default() },
    };
    assert_case(&transport, &Options { write_token: Some(TOKEN.to_owned()), ..Options::for_repository() }, id);
}

fn in_process_under_rest_openehr(id: &str) {
    let transport = InProcess {
        store: MemoryStore::new(),
        config: Config { base_path: "/rest/openehr/v1".into(), ..Config::default() },
    };
    assert_case(&transport, &Options::for_repository(), id);
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

fn on_native_server(id: &str) {
    let (url, data_dir) = native_server(id);
    let transport = Http::new(&url).expect("base URL");
    let report = run_cases(&transport, &Options::for_repository(), &[id]).expect("known case");
    let _ = std::fs::remove_dir_all(&data_dir);
    assert_eq!(report.failed(), 0, "{}", report.render());
}

/// One module per target, one `#[test]` per case in each; `LISTED` is checked against the suite's cases.
macro_rules! cases {
    ($($id:ident),* $(,)?) => {
        const LISTED: &[&str] = &[$(stringify!($id)),*];

        mod in_process {
            $(#[test] fn $id() { super::in_process_with_token(stringify!($id)); })*
        }

        mod rest_openehr_base_path {
            $(#[test] fn $id() { super::in_process_under_rest_openehr(stringify!($id)); })*
        }

        mod native_server {
            $(#[test] fn $id() { super::on_native_server(stringify!($id)); })*
        }
    };
}

cases! {
    store_is_empty,
    healthz,
    upload_valid_fixtures,
    upload_invalid_fixtures,
    list_templates,
    get_byte_identical,
    four_megabyte_round_trip,
    etag_not_modified,
    prefer_variants,
    unicode_template_id,
    malformed_template_ids,
    not_acceptable,
    web_template,
    ehrscape_templates,
    examples,
    unsupported_media_type,
    payload_too_large,
    not_found,
    method_not_allowed,
    cors,
    write_token,
    adl2,
    stored_queries,
    bad_query_input,
    concurrent_template_posts,
    concurrent_query_puts,
}

#[test]
fn every_case_has_its_tests() {
    assert_eq!(LISTED, case_ids().as_slice());
}

#[test]
fn an_unknown_case_is_an_error() {
    let transport = InProcess { store: MemoryStore::new(), config: Config::default() };
    let error = run_cases(&transport, &Options::for_repository(), &["no_such_case"]).expect_err("unknown id");
    assert!(error.starts_with("unknown case \"no_such_case\" (known: store_is_empty, healthz, "), "{error}");
}

/// All cases on one store, the empty-store check first and the rest backwards: each makes its own uploads.
#[test]
fn all_cases_on_one_store_in_reverse_order() {
    let transport = InProcess {
        store: MemoryStore::new(),
        config: Config { write_token: Some(TOKEN.to_owned()), ..Config::default() },
    };
    let ids = case_ids();
    let (first, rest) = ids.split_first().expect("cases");
    assert_eq!(*first, "store_is_empty");
    let order: Vec<&str> = std::iter::once(*first).chain(rest.iter().rev().copied()).collect();
    let options = Options { write_token: Some(TOKEN.to_owned()), ..Options::for_repository() };
    let report = run_cases(&transport, &options, &order).expect("known cases");
    println!("{}", report.render());
    assert_eq!(report.results.len(), ids.len());
    assert_eq!(report.failed(), 0, "{}", report.render());
}

/// All cases on one native server, in `run_all`'s order, as the `conformance` binary runs them.
#[test]
fn all_cases_on_one_native_server() {
    let (url, data_dir) = native_server("all");
    let transport = Http::new(&url).expect("base URL");
    let report = run_all(&transport, &Options::for_repository());
    let _ = std::fs::remove_dir_all(&data_dir);
    assert_eq!(report.results.len(), case_ids().len());
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
