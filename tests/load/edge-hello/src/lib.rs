//! Hello world as spin-sdk 5.2 writes it: the per-request floor of a Spin component, which
//! `tests/load/edge.sh` measures the Definitions component against. `GET /kv` also opens the
//! `default` store and reads one key: the floor of any component that reads its data from Spin's
//! key-value store (on Spin's SQLite store, both calls block a runtime thread).

use spin_sdk::http::{Fields, IncomingRequest, OutgoingResponse, ResponseOutparam};
use spin_sdk::http_component;
use spin_sdk::key_value::Store;

#[http_component]
async fn hello(request: IncomingRequest, response_out: ResponseOutparam) {
    let body = match request.path_with_query().as_deref() {
        Some("/kv") => Store::open("default").ok().and_then(|store| store.get("hello").ok().flatten()),
        _ => None,
    };
    let headers =
        Fields::from_list(&[("content-type".to_owned(), b"text/plain".to_vec())]).unwrap_or_else(|_| Fields::new());
    let response = OutgoingResponse::new(headers);
    let _ = response.set_status_code(200);
    let _ = response_out.set_with_body(response, body.unwrap_or_else(|| b"ok".to_vec())).await;
}
