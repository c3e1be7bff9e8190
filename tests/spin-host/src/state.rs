//! Per-request store data: a fresh WASI context and resource table for every instance, plus handles to the
//! listener's key-value connection and the variables.

use std::collections::HashMap;
use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

use crate::backend::Connection;

pub struct RequestState {
    pub table: ResourceTable,
    /// This listener's connection to the shared key-value data.
    pub kv: Arc<Connection>,
    pub variables: Arc<HashMap<String, String>>,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    hooks: NoOutboundHttp,
}

impl RequestState {
    pub fn new(kv: Arc<Connection>, variables: Arc<HashMap<String, String>>) -> Self {
        RequestState {
            table: ResourceTable::new(),
            kv,
            variables,
            // Guest stderr goes to ours so component panics and logs show up in test output.
            wasi: WasiCtx::builder().inherit_stderr().build(),
            http: WasiHttpCtx::new(),
            hooks: NoOutboundHttp,
        }
    }
}

impl WasiView for RequestState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for RequestState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.hooks }
    }
}

/// Refuses every outgoing request, like `allowed_outbound_hosts = []` in `spin.toml`.
struct NoOutboundHttp;

impl WasiHttpHooks for NoOutboundHttp {
    fn send_request(
        &mut self,
        _request: http::Request<wasmtime_wasi_http::WasiBody>,
        _options: Option<wasmtime_wasi_http::RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (
                        http::Response<wasmtime_wasi_http::WasiBody>,
                        Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
                    ),
                    wasmtime_wasi_http::Error,
                >,
            > + Send,
    > {
        Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) })
    }
}

/// What Spin does around its blocking host calls (the SQLite key-value store, the environment variable
/// provider): `tokio::task::block_in_place`, whose hand-off of the runtime thread is the per-call cost a
/// component pays in Spin. Only on a multi-threaded runtime (unit tests run on a current-thread one).
pub fn block_in_place_like_spin() {
    let multi_thread = tokio::runtime::Handle::try_current()
        .is_ok_and(|handle| handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if multi_thread {
        tokio::task::block_in_place(|| ());
    }
}
