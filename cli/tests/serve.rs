//! `openehr-defs serve` end to end: the binary starts, prints its address, serves the API with
//! the flags given, keeps data in Spin's key-value file, and protects writes with the token.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(data: &std::path::Path, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_openehr-defs"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(extra)
        .env_remove("OPENEHR_DEFS_WRITE_TOKEN")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("{line}")).to_owned();
    Server { child, addr }
}

/// One HTTP/1.1 request with `Connection: close`; returns the status code and the raw response.
fn request(addr: &str, head: &str, body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let head = format!("{head}\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, response)
}

fn fixture() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/opt14/valid/ehrbase_integration_test__opt__minimal_action.opt"
    );
    std::fs::read(path).unwrap()
}

#[test]
fn serve_takes_base_path_and_token_flags_and_keeps_data_in_spins_file() {
    let data = std::env::temp_dir().join(format!("openehr-defs-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let server = start(&data, &["--base-path", "/rest/openehr/v1", "--write-token", "s3cret"]);
    let post = "POST /rest/openehr/v1/definition/template/adl1.4 HTTP/1.1\r\nContent-Type: application/xml";

    let (status, response) = request(&server.addr, post, &fixture());
    assert_eq!(status, 401, "{response}");
    assert!(response.to_ascii_lowercase().contains("www-authenticate: bearer"), "{response}");

    let (status, response) = request(&server.addr, &format!("{post}\r\nAuthorization: Bearer s3cret"), &fixture());
    assert_eq!(status, 201, "{response}");

    let (status, response) = request(&server.addr, "GET /rest/openehr/v1/definition/template/adl1.4 HTTP/1.1", b"");
    assert_eq!(status, 200);
    assert!(response.contains("\"template_id\":\"minimal_action.en.v1_{{randomize}}\""), "{response}");
    drop(server);

    // The data outlives the process, in the file `spin up` would use.
    assert!(data.join(".spin/sqlite_key_value.db").is_file());
    let server = start(&data, &[]);
    let (status, _) = request(
        &server.addr,
        "GET /v1/definition/template/adl1.4/minimal_action.en.v1_%7B%7Brandomize%7D%7D HTTP/1.1",
        b"",
    );
    assert_eq!(status, 200);
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn serve_reports_an_address_it_cannot_bind() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let data = std::env::temp_dir().join(format!("openehr-defs-taken-{}", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_openehr-defs"))
        .args(["serve", "--addr", &addr, "--data"])
        .arg(&data)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&data);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot serve"), "{output:?}");
}

/// An operator reads one stderr line per request: time, level, method, path, status, bytes, duration.
#[test]
fn serve_logs_one_line_per_request_on_stderr() {
    let data = std::env::temp_dir().join(format!("openehr-defs-log-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let mut child = Command::new(env!("CARGO_BIN_EXE_openehr-defs"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("{line}")).to_owned();
    let server = Server { child, addr };
    let (status, _) = request(&server.addr, "GET /v1/definition/template/adl1.4/no.such HTTP/1.1", b"");
    assert_eq!(status, 404);
    let mut server = server;
    let mut stderr = BufReader::new(server.child.stderr.take().unwrap());
    let mut logged = String::new();
    stderr.read_line(&mut logged).unwrap();
    let pattern = regex::Regex::new(
        r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO  GET /v1/definition/template/adl1.4/no.such 404 \d+B \d+\.\dms\n$",
    )
    .unwrap();
    assert!(pattern.is_match(&logged), "{logged:?}");
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
}
