//! Hello world as spin-sdk 5.2 writes it: the per-request floor of a Spin component, which
//! `tests/load/edge.sh` measures the Definitions component against.

use spin_sdk::http::{Fields, IncomingRequest, OutgoingResponse, ResponseOutparam};
use spin_sdk::http_component;

#[http_component]
async fn hello(_request: IncomingRequest, response_out: ResponseOutparam) {
    let headers =
        Fields::from_list(&[("content-type".to_owned(), b"text/plain".to_vec())]).unwrap_or_else(|_| Fields::new());
    let response = OutgoingResponse::new(headers);
    let _ = response.set_status_code(200);
    let _ = response_out.set_with_body(response, b"ok".to_vec()).await;
}
