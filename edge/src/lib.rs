//! Spin (WASI 0.2 HTTP) component for the openEHR Definitions API.
//!
//! This crate is only an adapter: it turns the Spin request into an `http::Request`, hands it to the
//! host-agnostic API crate together with a Spin-backed key-value store and the configuration read from Spin
//! variables, and writes the returned `http::Response` back. All behaviour lives in the API crate.

mod config;
mod convert;
mod kv;
mod stderr_log;

use spin_sdk::http::{IncomingRequest, ResponseOutparam};
use spin_sdk::http_component;

use openehr_defs_api as api;

#[http_component]
async fn serve(request: IncomingRequest, response_out: ResponseOutparam) {
    stderr_log::install();
    let response = match convert::http_method(&request.method()) {
        Some(method) => {
            let config = config::for_request(&request, &method);
            match convert::read_request(request, method, config.max_body_bytes).await {
                Ok(request) => api::handle(request, &kv::SpinKv::default(), &config),
                Err(rejection) => convert::rejection_response(rejection),
            }
        }
        None => convert::rejection_response(convert::Rejection::Malformed),
    };
    convert::write_response(response, response_out).await;
}
