//! End-to-end: the built edge component, served by the built `spin-test-host` on loopback.
//!
//! Builds nothing but the host itself. Before `cargo test --profile spin-host -p spin-test-host`, build:
//! - the component: `cargo build --target wasm32-wasip2 --profile edge -p openehr-defs-edge`
//!   (or point `SPIN_HOST_COMPONENT` at a `.wasm`);
//! - the conformance runner: `cargo build --release -p conformance` (or set `CONFORMANCE_BIN`).
//!
//! Both are looked up under `CARGO_TARGET_DIR` (default: the workspace's `target/`).
//!
//! `{atomic,spin_sqlite,redis}_store_{suite,races}`: the conformance suite and the race cases against each
//! `--store` mode, with `--max-value-bytes 262144 --kv-latency-us 1000 --listeners 2`, a fresh host (empty store)
//! per test and the requests spread round-robin over both listeners.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const TOKEN: &str = "edge-test-token";
/// Above the largest fixture (4 MB) and unlike the 8 MiB default, so the variable visibly takes effect.
const MAX_BODY: usize = 6 * 1024 * 1024;

/// A running host; killed when dropped so a failing test leaves no process behind.
struct Host {
    child: Child,
    /// One `IP:PORT` per listener, in order.
    addrs: Vec<String>,
}

/// Each backend mode under the limits the edge must live with: values of at most 256 KiB (DynamoDB's item limit
/// is 400 KB, Cosmos DB's 2 MB) and two listeners over one store (two `spin up` processes, or two edge nodes).
const MAX_VALUE_BYTES: &str = "262144";
const LISTENERS: usize = 2;
/// Each key-value call takes 1 ms, like a round trip to SQLite on disk or to Redis: without it, the window between
/// a `current()` and its `swap` is a few microseconds in memory and racing creators almost never overlap.
const KV_LATENCY_US: &str = "1000";

impl Host {
    fn start(variables: &[(&str, &str)]) -> Host {
        Host::start_with(&[], variables, 1)
    }

    /// `flags` go to the host as they are; `listeners` must match any `--listeners` among them.
    fn start_with(flags: &[&str], variables: &[(&str, &str)], listeners: usize) -> Host {
        let mut command = Command::new(env!("CARGO_BIN_EXE_spin-test-host"));
        command.arg("--component").arg(component()).args(["--addr", "127.0.0.1:0"]).args(flags);
        for (name, value) in variables {
            command.arg("--var").arg(format!("{name}={value}"));
        }
        let mut child = command.stdout(Stdio::piped()).spawn().expect("spawn spin-test-host");
        let stdout = child.stdout.take().expect("piped stdout");
        let (lines, first_lines) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            for _ in 0..listeners {
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                let _ = lines.send(line);
            }
            // Keep draining so the host never blocks on a full pipe.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        // Compiling the component with Cranelift takes a few seconds per listener.
        let addrs = (0..listeners)
            .map(|index| {
                let line = first_lines
                    .recv_timeout(Duration::from_secs(180))
                    .unwrap_or_else(|_| panic!("host printed no line for listener {index} within 180 s"));
                line.trim()
                    .strip_prefix("listening on http://")
                    .unwrap_or_else(|| panic!("unexpected line from host: {line:?}"))
                    .to_owned()
            })
            .collect();
        Host { child, addrs }
    }

    fn addr(&self) -> &str {
        &self.addrs[0]
    }

    /// One request over a fresh connection (`Connection: close`); returns status, headers and decoded body.
    fn send(&self, method: &str, target: &str, headers: &[(&str, &str)]) -> Response {
        self.send_to(0, method, target, headers, b"")
    }

    fn send_to(&self, listener: usize, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
        let addr = &self.addrs[listener];
        let mut stream = TcpStream::connect(addr).expect("connect to host");
        stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        Response::parse(&raw)
    }
}

/// Just enough HTTP/1.1 response parsing for these tests (hyper answers guest bodies chunked).
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn parse(raw: &[u8]) -> Response {
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("complete response head");
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.split("\r\n");
        let status = lines.next().and_then(|line| line.split(' ').nth(1)).and_then(|code| code.parse().ok());
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        let mut response = Response { status: status.expect("status code"), headers, body: Vec::new() };
        let rest = &raw[split + 4..];
        response.body =
            if response.header("transfer-encoding") == Some("chunked") { dechunk(rest) } else { rest.to_vec() };
        response
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n").expect("chunk size line");
        let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..line_end]).trim(), 16).expect("hex size");
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&rest[line_end + 2..line_end + 2 + size]);
        rest = &rest[line_end + 2 + size + 2..];
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

fn component() -> PathBuf {
    let path = std::env::var_os("SPIN_HOST_COMPONENT")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("wasm32-wasip2/edge/openehr_defs_edge.wasm"));
    assert!(path.is_file(), "component not built: {} (see this file's header)", path.display());
    path
}

fn conformance_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("CONFORMANCE_BIN") {
        return PathBuf::from(path);
    }
    // The newer of the two, so that a stale release build never hides a fresh debug one (or the reverse).
    let candidates = [target_dir().join("release/conformance"), target_dir().join("debug/conformance")];
    candidates
        .into_iter()
        .filter_map(|path| Some((std::fs::metadata(&path).ok()?.modified().ok()?, path)))
        .max()
        .map(|(_, path)| path)
        .expect("conformance runner not built (see this file's header)")
}

#[test]
fn conformance_suite_passes_against_the_component() {
    let max_body = MAX_BODY.to_string();
    let host = Host::start(&[("write_token", TOKEN), ("max_body_bytes", &max_body)]);
    run_conformance(&host, &["--max-body-bytes", &max_body]);
}

/// Runs the conformance binary against every listener of `host` (round-robin), with the write token.
fn run_conformance(host: &Host, flags: &[&str]) {
    let mut command = Command::new(conformance_bin());
    for addr in &host.addrs {
        command.arg("--base-url").arg(format!("http://{addr}/v1"));
    }
    let output = command.args(["--token", TOKEN]).args(flags).output().expect("run conformance");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let passed = output.status.success() && stdout.trim_end().ends_with(" 0 failed");
    assert!(passed, "conformance failed ({}):\n{stdout}\n{}", output.status, String::from_utf8_lossy(&output.stderr));
    println!("{stdout}");
}

/// A fresh host (an empty store) in `--store` mode `store`, with the edge's limits.
fn host_in_mode(store: &str) -> Host {
    let max_body = MAX_BODY.to_string();
    let listeners = LISTENERS.to_string();
    Host::start_with(
        &[
            "--store",
            store,
            "--max-value-bytes",
            MAX_VALUE_BYTES,
            "--kv-latency-us",
            KV_LATENCY_US,
            "--listeners",
            &listeners,
        ],
        &[("write_token", TOKEN), ("max_body_bytes", &max_body)],
        LISTENERS,
    )
}

fn suite_in_mode(store: &str) {
    let host = host_in_mode(store);
    run_conformance(&host, &["--max-body-bytes", &MAX_BODY.to_string()]);
}

fn races_in_mode(store: &str) {
    let host = host_in_mode(store);
    run_conformance(&host, &["--races"]);
}

// One test per backend mode and kind, so a failure names the backend.

#[test]
fn atomic_store_suite() {
    suite_in_mode("atomic");
}

#[test]
fn atomic_store_races() {
    races_in_mode("atomic");
}

#[test]
fn spin_sqlite_store_suite() {
    suite_in_mode("spin-sqlite");
}

#[test]
fn spin_sqlite_store_races() {
    races_in_mode("spin-sqlite");
}

#[test]
fn redis_store_suite() {
    suite_in_mode("redis");
}

#[test]
fn redis_store_races() {
    races_in_mode("redis");
}

/// Two listeners, two engines, one store: a write through one is read through the other.
#[test]
fn listeners_share_one_store() {
    let host = Host::start_with(&["--listeners", "2"], &[], 2);
    assert_ne!(host.addrs[0], host.addrs[1]);
    let put = host.send_to(
        0,
        "PUT",
        "/v1/definition/query/org.test::shared",
        &[("Content-Type", "text/plain")],
        b"SELECT e FROM EHR e",
    );
    assert_eq!(put.status, 200, "{}", String::from_utf8_lossy(&put.body));
    let got = host.send_to(1, "GET", "/v1/definition/query/org.test::shared", &[], b"");
    assert_eq!(got.status, 200);
    assert!(
        String::from_utf8_lossy(&got.body).contains("SELECT e FROM EHR e"),
        "{}",
        String::from_utf8_lossy(&got.body)
    );
}

/// As the shipped manifest routes it: the API is mounted at its trigger route, which Spin names in the
/// `spin-component-route` header, so no variable read is needed (and a `base_path` variable is ignored).
#[test]
fn the_trigger_route_is_the_base_path() {
    let flags = ["--route", "/rest/openehr/v1/...", "--route", "/healthz"];
    let host = Host::start_with(&flags, &[("base_path", "/ignored")], 1);
    let listed = host.send("GET", "/rest/openehr/v1/definition/template/adl1.4", &[]);
    assert_eq!(listed.status, 200, "{}", String::from_utf8_lossy(&listed.body));
    assert_eq!(listed.body, b"[]");
    assert_eq!(listed.header("vary"), Some("Origin"));
    assert_eq!(listed.header("access-control-allow-origin"), None, "no Origin, no CORS headers");
    assert_eq!(host.send("GET", "/healthz", &[]).status, 200);
    assert_eq!(host.send("GET", "/ignored/definition/template/adl1.4", &[]).status, 404);
    let located = host.send("GET", "/rest/openehr/v1/definition/query/org.none::q/1", &[]);
    assert_eq!(located.status, 404);
    assert_eq!(located.header("content-type"), Some("application/json"), "the API's 404, not Spin's");
}

/// The shipped manifest also routes `/rest/v1/...`: the Ehrscape calls are mounted by that route (both API
/// families answer under each route, their paths never overlap), with no variable read.
#[test]
fn the_rest_v1_route_mounts_the_ehrscape_calls() {
    let flags = ["--route", "/v1/...", "--route", "/rest/v1/...", "--route", "/healthz"];
    let host = Host::start_with(&flags, &[("ehrscape_base_path", "/ignored")], 1);
    let listed = host.send("GET", "/rest/v1/template", &[]);
    assert_eq!(listed.status, 200, "{}", String::from_utf8_lossy(&listed.body));
    assert_eq!(listed.body, br#"{"templates":[]}"#);
    assert_eq!(host.send("GET", "/v1/definition/template/adl1.4", &[]).status, 200);
    let missing = host.send("GET", "/rest/v1/template/no.such", &[]);
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("content-type"), Some("application/json"), "the API's 404, not Spin's");
    let delete = host.send("DELETE", "/v1/definition/template/adl1.4/no.such", &[]);
    assert_eq!(delete.status, 405, "deletes are off unless the allow_delete variable says otherwise");
}

#[test]
fn base_path_and_cors_come_from_spin_variables() {
    let host =
        Host::start(&[("base_path", "/rest/openehr/v1"), ("allowed_origins", "https://a.example, https://b.example")]);
    let list = "/rest/openehr/v1/definition/template/adl1.4";
    let listed = host.send("GET", list, &[("Origin", "https://b.example")]);
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body, b"[]");
    assert_eq!(listed.header("access-control-allow-origin"), Some("https://b.example"));

    let foreign = host.send("GET", list, &[("Origin", "https://evil.example")]);
    assert_eq!(foreign.status, 200);
    assert_eq!(foreign.header("access-control-allow-origin"), None);

    assert_eq!(host.send("GET", "/v1/definition/template/adl1.4", &[]).status, 404);
}

/// A chunked upload has no Content-Length to check up front: the component must stop reading past the limit
/// and still let the API answer 413.
#[test]
fn oversized_chunked_body_is_refused_with_413() {
    let host = Host::start(&[("max_body_bytes", "1000")]);
    let mut stream = TcpStream::connect(host.addr()).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let head = format!(
        "POST /v1/definition/template/adl1.4 HTTP/1.1\r\nHost: {}\r\nContent-Type: application/xml\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        host.addr()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let chunk = vec![b'x'; 600];
    for _ in 0..4 {
        // The server may answer and stop reading once it has enough; later writes may then fail.
        if stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).is_err()
            || stream.write_all(&chunk).is_err()
            || stream.write_all(b"\r\n").is_err()
        {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413 "), "expected 413, got: {response}");
    assert!(
        response.contains("larger than the limit of 1000 bytes"),
        "413 should come from the API's error body: {response}"
    );
}

#[test]
fn component_imports_only_what_spin_3_and_4_serve() {
    let output = Command::new(env!("CARGO_BIN_EXE_spin-test-host"))
        .arg("--component")
        .arg(component())
        .arg("--list-imports")
        .output()
        .expect("run spin-test-host --list-imports");
    assert!(output.status.success());
    let listed = String::from_utf8_lossy(&output.stdout);
    let mut names: Vec<&str> = listed.lines().collect();
    names.sort_unstable();
    let unexpected: Vec<&&str> = names
        .iter()
        .filter(|line| {
            ![
                "import wasi:cli/",
                "import wasi:io/",
                "import wasi:clocks/",
                "import wasi:random/",
                "import wasi:http/types@0.2.",
                "import fermyon:spin/key-value@2.0.0",
                "import fermyon:spin/variables@2.0.0",
                "import wasi:keyvalue/store@0.2.0-draft2",
                "import wasi:keyvalue/atomics@0.2.0-draft2",
                "export wasi:http/incoming-handler@0.2.0",
            ]
            .iter()
            .any(|allowed| line.starts_with(allowed))
        })
        .collect();
    assert!(unexpected.is_empty(), "unexpected imports/exports: {unexpected:?}\nall:\n{listed}");
    for required in ["import fermyon:spin/key-value@2.0.0", "import wasi:keyvalue/atomics@0.2.0-draft2"] {
        assert!(names.contains(&required), "{required} missing:\n{listed}");
    }
    assert!(names.contains(&"export wasi:http/incoming-handler@0.2.0"), "no HTTP handler export:\n{listed}");
}

/// A small real OPT (its fixture's template_id replaced) and a real ADL 2 template (its version replaced).
fn fixture_text(relative: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures").join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `count` writes spread over `threads` threads; `write(i)` must answer `expected`.
fn write_all(
    host: &Host,
    count: usize,
    threads: usize,
    expected: u16,
    write: impl Fn(&Host, usize) -> Response + Sync,
) {
    std::thread::scope(|scope| {
        for thread in 0..threads {
            let write = &write;
            scope.spawn(move || {
                for i in (thread..count).step_by(threads) {
                    let response = write(host, i);
                    assert_eq!(response.status, expected, "write {i}: {}", String::from_utf8_lossy(&response.body));
                }
            });
        }
    });
}

fn listed(host: &Host, target: &str) -> Vec<serde_json::Value> {
    let response = host.send("GET", target, &[]);
    assert_eq!(response.status, 200, "{target}");
    serde_json::from_slice(&response.body).expect("a JSON list")
}

/// The store refuses any value over 256 KiB, as DynamoDB-sized backends do: the component must shard its
/// indexes to hold 10 000 templates, 10 000 query versions and 1 000 ADL 2 versions, and serve them all.
/// (Read and CAS counts per request at this scale: `api/tests/backends.rs`.)
#[test]
fn indexes_at_scale_stay_under_the_backends_value_limit() {
    let host = Host::start_with(&["--store", "spin-sqlite", "--max-value-bytes", MAX_VALUE_BYTES], &[], 1);
    let opt = fixture_text("opt14/valid/ehrbase_integration_test__opt__minimal_action.opt");
    let xml = [("Content-Type", "application/xml")];
    write_all(&host, 10_000, 4, 201, |host, i| {
        let body = opt.replace("minimal_action.en.v1_{{randomize}}", &format!("scale.{i:05}"));
        host.send_to(0, "POST", "/v1/definition/template/adl1.4", &xml, body.as_bytes())
    });
    let text = [("Content-Type", "text/plain")];
    write_all(&host, 10_000, 4, 200, |host, i| {
        let query = format!("SELECT e/ehr_id/value FROM EHR e -- {i}");
        host.send_to(0, "PUT", &format!("/v1/definition/query/org.scale::q{:02}", i % 50), &text, query.as_bytes())
    });
    let adl2 = fixture_text("adl2/openehr_archie__flattener__openEHR-EHR-COMPOSITION.blood_pressure.v1.0.0.adlt");
    write_all(&host, 1_000, 4, 201, |host, i| {
        let body = adl2.replacen("blood_pressure.v1.0.0", &format!("blood_pressure.v1.{i}.0"), 1);
        host.send_to(0, "POST", "/v1/definition/template/adl2", &text, body.as_bytes())
    });

    let templates = listed(&host, "/v1/definition/template/adl1.4");
    assert_eq!(templates.len(), 10_000);
    assert_eq!(templates[0]["template_id"], "scale.00000");
    assert_eq!(templates[9_999]["template_id"], "scale.09999");
    assert_eq!(listed(&host, "/v1/definition/query/").len(), 10_000);
    assert_eq!(listed(&host, "/v1/definition/query/org.scale::q07").len(), 200);
    assert_eq!(listed(&host, "/v1/definition/template/adl2").len(), 1_000);
    let latest = host.send("GET", "/v1/definition/query/org.scale::q07/200", &[]);
    assert_eq!(latest.status, 200);
    let one = host.send("GET", "/v1/definition/template/adl1.4/scale.04321", &[]);
    assert_eq!(one.body, opt.replace("minimal_action.en.v1_{{randomize}}", "scale.04321").as_bytes());
    let adl2_latest = host.send("GET", "/v1/definition/template/adl2/openEHR-EHR-COMPOSITION.blood_pressure/1", &[]);
    assert_eq!(adl2_latest.body, adl2.replacen("blood_pressure.v1.0.0", "blood_pressure.v1.999.0", 1).as_bytes());
}
