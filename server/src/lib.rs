//! # openehr-defs-server
//!
//! The native host of the Definitions API: hyper 1 on tokio, SQLite storage in Spin's key-value
//! layout ([`sqlite_store`]), the browser playground from a directory. All API behaviour lives in
//! `openehr_defs_api::handle`; this crate only moves bytes between sockets, the database and it.

pub mod sqlite_store;
mod static_files;
mod stderr_log;
mod value_cache;

pub use openehr_defs_api::{AllowedOrigins, Config, DEFAULT_EHRSCAPE_BASE_PATH, SettingsNeeded};
pub use sqlite_store::SqliteStore;
pub use stderr_log::log_to_stderr;

use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Everything `serve` needs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Where to listen; port 0 picks a free port (the real one is printed).
    pub addr: SocketAddr,
    /// The application directory: the database is `{data_dir}/.spin/sqlite_key_value.db`, as under `spin up`.
    pub data_dir: PathBuf,
    /// Static files served at `/` (the browser playground), if any.
    pub www_dir: Option<PathBuf>,
    pub api: Config,
}

/// Binds, prints `listening on http://ADDR` and serves until the process ends.
pub fn serve(config: ServeConfig) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let (listener, state) = bind(config).await?;
        println!("listening on http://{}", listener.local_addr()?);
        accept_loop(listener, state).await
    })
}

/// A server running on a background thread (tests and benchmarks).
pub struct RunningServer {
    pub addr: SocketAddr,
}

/// Starts the server on its own thread and returns once it listens.
pub fn start(config: ServeConfig) -> io::Result<RunningServer> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (listener, state) = runtime.block_on(bind(config))?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || {
        let _ = runtime.block_on(accept_loop(listener, state));
    });
    Ok(RunningServer { addr })
}

struct State {
    store: SqliteStore,
    /// Reads answered on the async workers hold one of these while they run, and the other requests
    /// (writes, static files, on the blocking pool) one of `others`. The store has a reader connection
    /// for every permit of both, so an inline read always finds an idle reader instead of blocking a
    /// runtime thread on a busy one, and uploads never take the permits reads wait for.
    readers: Arc<tokio::sync::Semaphore>,
    others: Arc<tokio::sync::Semaphore>,
    www_dir: Option<PathBuf>,
    api: Config,
}

/// Reads answered at once on the async workers.
const READERS: usize = 4;
/// Other requests (writes, static files) running at once on the blocking pool.
const OTHERS: usize = 4;

async fn bind(config: ServeConfig) -> io::Result<(tokio::net::TcpListener, Arc<State>)> {
    let store = SqliteStore::open(&config.data_dir, READERS + OTHERS).map_err(io::Error::other)?;
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let readers = Arc::new(tokio::sync::Semaphore::new(READERS));
    let others = Arc::new(tokio::sync::Semaphore::new(OTHERS));
    Ok((listener, Arc::new(State { store, readers, others, www_dir: config.www_dir, api: config.api })))
}

async fn accept_loop(listener: tokio::net::TcpListener, state: Arc<State>) -> io::Result<()> {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            // Out of file descriptors and the like: keep serving the open connections, and wait a little
            // before accepting again instead of spinning on the same error.
            Err(error) => {
                log::warn!("accept failed, pausing 100 ms: {error}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(request, Arc::clone(&state)));
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

async fn answer(request: Request<Incoming>, state: Arc<State>) -> Result<Response<Full<Bytes>>, Infallible> {
    let started = std::time::Instant::now();
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let (parts, body) = request.into_parts();
    let response = match read_body(body, state.api.max_body_bytes).await {
        Ok(body) => {
            let request = Request::from_parts(parts, body);
            // The semaphores are never closed; without a permit the request still runs.
            if answers_inline(&request, &state) {
                let _reader = Arc::clone(&state.readers).acquire_owned().await.ok();
                route(request, &state)
            } else {
                let _permit = Arc::clone(&state.others).acquire_owned().await.ok();
                tokio::task::spawn_blocking(move || route(request, &state)).await.unwrap_or_else(|_| {
                    openehr_defs_api::error_response(StatusCode::SERVICE_UNAVAILABLE, "the request could not be run")
                })
            }
        }
        Err(()) => openehr_defs_api::error_response(StatusCode::BAD_REQUEST, "the request body could not be read"),
    };
    let (parts, body) = response.into_parts();
    // One line per request (no-op unless the binary installed a logger; the load server does not).
    log::info!(
        "{method} {path} {} {}B {:.1}ms",
        parts.status.as_u16(),
        body.len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    Ok(Response::from_parts(parts, Full::new(Bytes::from(body))))
}

/// Whether `request` is answered on the async worker itself instead of a blocking-pool thread.
/// API reads only do short SQLite reads (WAL: never behind a writer) or hit the value cache, and the
/// hand-off to the blocking pool cost more than the answer itself (half the CPU time in profiles).
/// Writes (which may wait for SQLite's write lock) and static files still go to the blocking pool.
fn answers_inline(request: &Request<Vec<u8>>, state: &State) -> bool {
    let read_only = matches!(*request.method(), http::Method::GET | http::Method::HEAD | http::Method::OPTIONS);
    read_only && openehr_defs_api::is_api_path(request.uri().path(), &state.api)
}

/// API and health check to `handle`, other GETs to the static files.
fn route(request: Request<Vec<u8>>, state: &State) -> Response<Vec<u8>> {
    let path = request.uri().path();
    if !openehr_defs_api::is_api_path(path, &state.api)
        && request.method() == http::Method::GET
        && let Some(file) = state.www_dir.as_deref().and_then(|root| static_files::resolve(root, path))
    {
        return static_files::respond(&file);
    }
    openehr_defs_api::handle(request, &state.store, &state.api)
}

/// Collects the body, keeping at most `limit + 1` bytes: a longer body reaches the API one byte
/// over its limit, so the API answers the 413 itself, with its JSON error and CORS headers. The
/// rest is drained (up to 4× the limit, so honest clients still read the answer), never stored.
async fn read_body(mut body: Incoming, limit: usize) -> Result<Vec<u8>, ()> {
    let keep = limit.saturating_add(1);
    let mut bytes = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| ())?;
        if let Ok(data) = frame.into_data() {
            seen = seen.saturating_add(data.len());
            let room = keep.saturating_sub(bytes.len());
            bytes.extend_from_slice(&data[..data.len().min(room)]);
            if seen > limit.saturating_mul(4) {
                break;
            }
        }
    }
    Ok(bytes)
}
