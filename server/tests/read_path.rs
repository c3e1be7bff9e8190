//! The fast read path over a real socket: API reads are answered on the async worker, template
//! bodies come from the in-memory cache and the list from the index's first line. None of that may
//! change what a client sees: the list follows every upload at once, bodies are byte-identical,
//! `Content-Length` is the exact body length, and the ETag/304 exchange works.

use openehr_defs_server::{Config, ServeConfig, start};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;

const LIST: &str = "/v1/definition/template/adl1.4";

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// One request on its own connection; reads everything the server sends until it closes, so a
/// `Content-Length` that disagrees with the bytes on the wire shows.
fn send(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).expect("connect");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body)).expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("end of head");
    let head = String::from_utf8(raw[..split].to_vec()).expect("ASCII head");
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Answer { status, headers, body: raw[split + 4..].to_vec() }
}

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/opt14/valid").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn listed_ids(addr: SocketAddr) -> Vec<String> {
    let answer = send(addr, "GET", LIST, &[], b"");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-length"), Some(answer.body.len().to_string().as_str()));
    let items: Vec<serde_json::Value> = serde_json::from_slice(&answer.body).expect("JSON list");
    items.iter().map(|i| i["template_id"].as_str().expect("template_id").to_owned()).collect()
}

#[test]
fn reads_follow_writes_with_exact_bodies_lengths_and_etags() {
    let data_dir = std::env::temp_dir().join(format!("defs-read-path-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let config = ServeConfig {
        addr: "127.0.0.1:0".parse().expect("literal address"),
        data_dir: data_dir.clone(),
        www_dir: None,
        api: Config::default(),
    };
    let addr = start(config).expect("server starts").addr;
    let xml = [("content-type", "application/xml")];

    assert!(listed_ids(addr).is_empty());
    let minimal = fixture("ehrbase_integration_test__opt__minimal_action.opt");
    assert_eq!(send(addr, "POST", LIST, &xml, &minimal).status, 201);
    assert_eq!(listed_ids(addr), ["minimal_action.en.v1_{{randomize}}"]);

    let uri = format!("{LIST}/minimal_action.en.v1_%7B%7Brandomize%7D%7D");
    for _ in 0..3 {
        // The first read fills the cache, the later ones are served from it: all identical.
        let got = send(addr, "GET", &uri, &[], b"");
        assert_eq!(got.status, 200);
        assert_eq!(got.body, minimal);
        assert_eq!(got.header("content-length"), Some(minimal.len().to_string().as_str()));
        assert_eq!(got.header("content-type"), Some("application/xml"));
    }
    let etag = send(addr, "GET", &uri, &[], b"").header("etag").expect("ETag").to_owned();
    let unchanged = send(addr, "GET", &uri, &[("if-none-match", &etag)], b"");
    assert_eq!(unchanged.status, 304);
    assert!(unchanged.body.is_empty());
    assert_eq!(unchanged.header("etag"), Some(etag.as_str()));
    assert_eq!(send(addr, "GET", &uri, &[("if-none-match", "\"other\"")], b"").status, 200);

    let corona = fixture("ehrbase_integration_test__all_types__Corona_Anamnese.opt");
    assert_eq!(send(addr, "POST", LIST, &xml, &corona).status, 201);
    assert_eq!(listed_ids(addr), ["Corona_Anamnese", "minimal_action.en.v1_{{randomize}}"]);
    assert_eq!(send(addr, "POST", LIST, &xml, &corona).status, 409);
    assert_eq!(send(addr, "GET", &format!("{LIST}/Corona_Anamnese"), &[], b"").body, corona);
    assert_eq!(send(addr, "GET", &format!("{LIST}/not.there"), &[], b"").status, 404);
    let _ = std::fs::remove_dir_all(&data_dir);
}
