//! How the suite reaches an API: in-process through `handle`, or over HTTP/1.1 on a TCP socket.

use openehr_defs_api::{Config, KvStore, handle};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A request as the suite writes it. `path` is relative to the API base (`/definition/...`) unless
/// `from_root` is set (`/healthz`).
#[derive(Debug, Clone, Default)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub from_root: bool,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A response: status, headers (names lower-cased) and body.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Result<serde_json::Value, String> {
        serde_json::from_slice(&self.body)
            .map_err(|e| format!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// Sends one request. Implementations must be usable from many threads at once.
pub trait Transport: Sync {
    fn send(&self, request: &Req) -> Result<Resp, String>;
    /// The API base path (`/v1`), as `Location` headers start with it.
    fn base_path(&self) -> &str;
}

/// Calls `openehr_defs_api::handle` directly.
pub struct InProcess<S: KvStore + Sync> {
    pub store: S,
    pub config: Config,
}

impl<S: KvStore + Sync> Transport for InProcess<S> {
    fn send(&self, request: &Req) -> Result<Resp, String> {
        let uri =
            if request.from_root { request.path.clone() } else { format!("{}{}", self.config.base_path, request.path) };
        let mut builder = http::Request::builder().method(request.method.as_str()).uri(uri);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let http_request = builder.body(request.body.clone()).map_err(|e| format!("bad request: {e}"))?;
        let response = handle(http_request, &self.store, &self.config);
        Ok(Resp {
            status: response.status().as_u16(),
            headers: response
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect(),
            body: response.into_body(),
        })
    }

    fn base_path(&self) -> &str {
        &self.config.base_path
    }
}

/// A minimal blocking HTTP/1.1 client, one connection per request (`Connection: close`).
pub struct Http {
    host_port: String,
    base_path: String,
}

impl Http {
    /// `base_url` like `http://127.0.0.1:8080/v1` (plain HTTP only).
    pub fn new(base_url: &str) -> Result<Self, String> {
        let rest = base_url.strip_prefix("http://").ok_or("the base URL must start with http://")?;
        let (host_port, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
        Ok(Http { host_port: host_port.to_owned(), base_path: format!("/{}", path.trim_end_matches('/')) })
    }
}

impl Transport for Http {
    fn send(&self, request: &Req) -> Result<Resp, String> {
        let path = if request.from_root {
            request.path.clone()
        } else {
            format!("{}{}", self.base_path.trim_end_matches('/'), request.path)
        };
        let mut stream = TcpStream::connect(&self.host_port).map_err(|e| format!("connect {}: {e}", self.host_port))?;
        stream.set_read_timeout(Some(Duration::from_secs(60))).map_err(|e| e.to_string())?;
        let _ = stream.set_nodelay(true);
        let mut head =
            format!("{} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", request.method, self.host_port);
        for (name, value) in &request.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", request.body.len()));
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&request.body);
        // A server may answer (413) and close before reading everything: still read its answer.
        let write_error = stream.write_all(&bytes).err();
        read_response(stream).map_err(|e| match write_error {
            Some(w) => format!("{e} (after write error: {w})"),
            None => e,
        })
    }

    fn base_path(&self) -> &str {
        &self.base_path
    }
}

/// Several servers over one store (e.g. two `spin up` processes): each request goes to the next base URL in
/// turn. All base URLs must share the API base path.
pub struct RoundRobin {
    targets: Vec<Http>,
    next: AtomicUsize,
}

impl RoundRobin {
    pub fn new(base_urls: &[String]) -> Result<Self, String> {
        let targets = base_urls.iter().map(|url| Http::new(url)).collect::<Result<Vec<_>, _>>()?;
        let first = targets.first().ok_or("no base URL")?;
        if let Some(other) = targets.iter().find(|t| t.base_path != first.base_path) {
            return Err(format!("base paths differ: {} and {}", first.base_path, other.base_path));
        }
        Ok(RoundRobin { targets, next: AtomicUsize::new(0) })
    }
}

impl Transport for RoundRobin {
    fn send(&self, request: &Req) -> Result<Resp, String> {
        let index = self.next.fetch_add(1, Ordering::Relaxed) % self.targets.len();
        let target = &self.targets[index];
        target.send(request).map_err(|e| format!("{e} (via {})", target.host_port))
    }

    fn base_path(&self) -> &str {
        &self.targets[0].base_path
    }
}

fn read_response(stream: TcpStream) -> Result<Resp, String> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|e| format!("read status line: {e}"))?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("bad status line {line:?}"))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).map_err(|e| format!("read header: {e}"))?;
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let find = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let mut body = Vec::new();
    if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            line.clear();
            reader.read_line(&mut line).map_err(|e| format!("read chunk size: {e}"))?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| format!("bad chunk size {line:?}"))?;
            if size == 0 {
                break;
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).map_err(|e| format!("read chunk: {e}"))?;
            body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(length) = find("content-length") {
        let length: usize = length.parse().map_err(|_| format!("bad content-length {length:?}"))?;
        body.resize(length, 0);
        reader.read_exact(&mut body).map_err(|e| format!("read body: {e}"))?;
    } else if status != 204 && status != 304 {
        reader.read_to_end(&mut body).map_err(|e| format!("read body: {e}"))?;
    }
    Ok(Resp { status, headers, body })
}
