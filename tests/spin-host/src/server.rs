//! Loads the component and serves `wasi:http/incoming-handler` over HTTP/1.1 on loopback, with a fresh
//! instance per request as Spin does. `--listeners N` starts N independent listeners (each with its own engine
//! and compiled component, like N `spin up` processes) over one shared key-value store.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use hyper::server::conn::http1;
use tokio::net::TcpListener;
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Engine, Result, Store, bail};
use wasmtime_wasi_http::WasiHttpView;
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;

use crate::args::Args;
use crate::backend::{Connection, SharedKv};
use crate::bindings::SpinImports;
use crate::routes::{self, Route};
use crate::state::RequestState;

/// What one listener's requests need, built once at start-up.
struct Host {
    pre: ProxyPre<RequestState>,
    kv: Arc<Connection>,
    variables: Arc<HashMap<String, String>>,
    routes: Arc<Vec<Route>>,
}

pub async fn run(args: Args) -> Result<()> {
    if args.list_imports {
        let engine = Engine::default();
        print_world(&engine, &Component::from_file(&engine, &args.component)?);
        return Ok(());
    }
    let shared = Arc::new(SharedKv::new(args.store, args.max_value_bytes).with_latency(args.kv_latency));
    let variables = Arc::new(args.variables);
    let routes = Arc::new(args.routes);
    // Compiling takes a second or more per listener: all at once, on the blocking pool.
    let compiling: Vec<_> = (0..args.listeners)
        .map(|_| {
            let path = args.component.clone();
            tokio::task::spawn_blocking(move || prepare(&path))
        })
        .collect();
    let mut listeners = Vec::with_capacity(compiling.len());
    for (index, compiled) in (0..args.listeners).zip(compiling) {
        let pre = compiled.await??;
        let socket = TcpListener::bind(listener_addr(args.addr, index)?).await?;
        let kv = Arc::new(Connection::new(shared.clone()));
        listeners.push((socket, Arc::new(Host { pre, kv, variables: variables.clone(), routes: routes.clone() })));
    }
    // Test drivers wait for these exact lines, one per listener in order, to learn the ports.
    for (socket, _) in &listeners {
        println!("listening on http://{}", socket.local_addr()?);
    }
    let serving: Vec<_> = listeners.into_iter().map(|(socket, host)| tokio::spawn(serve(socket, host))).collect();
    for task in serving {
        task.await??;
    }
    Ok(())
}

/// One `spin up`'s worth of set-up: engine, compiled component, linker with every import.
fn prepare(component: &Path) -> Result<ProxyPre<RequestState>> {
    let engine = Engine::default();
    let component = Component::from_file(&engine, component)?;
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    SpinImports::add_to_linker::<_, HasSelf<RequestState>>(&mut linker, |state| state)?;
    ProxyPre::new(linker.instantiate_pre(&component)?)
}

/// Port 0: every listener picks a free port. A fixed port P: listener i takes P + i.
fn listener_addr(base: SocketAddr, index: u16) -> Result<SocketAddr> {
    if base.port() == 0 {
        return Ok(base);
    }
    match base.port().checked_add(index) {
        Some(port) => Ok(SocketAddr::new(base.ip(), port)),
        None => bail!("--addr {base}: no port left for listener {index}"),
    }
}

async fn serve(listener: TcpListener, host: Arc<Host>) -> Result<()> {
    loop {
        let (client, _) = listener.accept().await?;
        let host = host.clone();
        tokio::task::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let host = host.clone();
                async move { host.handle(request).await }
            });
            if let Err(error) =
                http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(client), service).await
            {
                eprintln!("spin-test-host: connection error: {error:?}");
            }
        });
    }
}

impl Host {
    async fn handle(
        &self,
        request: hyper::Request<hyper::body::Incoming>,
    ) -> Result<hyper::Response<HyperOutgoingBody>> {
        let mut request = request;
        // Spin's router: an unmatched path never reaches the component; a matched one carries its route.
        let Some(spin_headers) = routes::spin_headers(&self.routes, request.uri().path()) else {
            return not_found();
        };
        for (name, value) in spin_headers {
            if let Ok(value) = hyper::header::HeaderValue::from_str(&value) {
                request.headers_mut().insert(name, value);
            }
        }
        let mut store = Store::new(self.pre.engine(), RequestState::new(self.kv.clone(), self.variables.clone()));
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let request = store.data_mut().http().new_incoming_request(Scheme::Http, request)?;
        let out = store.data_mut().http().new_response_outparam(sender)?;
        let pre = self.pre.clone();
        // The guest keeps running after `response-outparam.set` to stream the body, so it gets its own task.
        let task = tokio::task::spawn(async move {
            let proxy = pre.instantiate_async(&mut store).await?;
            proxy.wasi_http_incoming_handler().call_handle(&mut store, request, out).await
        });
        match receiver.await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(error_code)) => Err(error_code.into()),
            Err(_) => {
                let error = match task.await {
                    Ok(Ok(())) => bail!("guest never invoked `response-outparam::set`"),
                    Ok(Err(error)) => error,
                    Err(join_error) => join_error.into(),
                };
                eprintln!("spin-test-host: guest failed: {error:?}");
                Err(error.context("guest never invoked `response-outparam::set`"))
            }
        }
    }
}

/// `--list-imports`: what the component needs from a host and what it offers.
fn print_world(engine: &Engine, component: &Component) {
    let component_type = component.component_type();
    for (name, _) in component_type.imports(engine) {
        println!("import {name}");
    }
    for (name, _) in component_type.exports(engine) {
        println!("export {name}");
    }
}

/// Spin's answer for a path no route matches.
fn not_found() -> Result<hyper::Response<HyperOutgoingBody>> {
    use http_body_util::BodyExt;
    let body = http_body_util::Full::new(bytes::Bytes::from_static(b"Not Found"))
        .map_err(|never| match never {})
        .boxed_unsync();
    let mut response = hyper::Response::new(body);
    *response.status_mut() = hyper::StatusCode::NOT_FOUND;
    Ok(response)
}
