//! Loads the component once and serves `wasi:http/incoming-handler` over HTTP/1.1 on loopback, with a fresh
//! instance per request as Spin does.

use std::collections::HashMap;
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
use crate::bindings::SpinImports;
use crate::kv::SharedKv;
use crate::state::RequestState;

/// Everything a request needs, built once at start-up.
struct Host {
    pre: ProxyPre<RequestState>,
    kv: Arc<SharedKv>,
    variables: Arc<HashMap<String, String>>,
}

pub async fn run(args: Args) -> Result<()> {
    let engine = Engine::default();
    let component = Component::from_file(&engine, &args.component)?;
    if args.list_imports {
        print_world(&engine, &component);
        return Ok(());
    }
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    SpinImports::add_to_linker::<_, HasSelf<RequestState>>(&mut linker, |state| state)?;
    let pre = ProxyPre::new(linker.instantiate_pre(&component)?)?;
    let host = Arc::new(Host { pre, kv: Arc::default(), variables: Arc::new(args.variables) });

    let listener = TcpListener::bind(args.addr).await?;
    // Test drivers wait for this exact line to learn the port.
    println!("listening on http://{}", listener.local_addr()?);
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
