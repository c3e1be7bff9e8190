//! Host bindings for the Spin imports that wasmtime-wasi(-http) do not provide, generated from the WIT
//! copied out of spin-sdk 5.2.0 (see `wit/README.md`). Resources map to the host types in `kv` and
//! `backend`.

wasmtime::component::bindgen!({
    path: "wit",
    world: "spin-test:host/spin-imports",
    // A bad resource handle from the guest traps, as in Spin, instead of being reported as a store error.
    // Key-value calls are async so that `--kv-latency-us` can wait without blocking a runtime thread.
    imports: {
        "fermyon:spin/key-value": async | trappable,
        "wasi:keyvalue": async | trappable,
        default: trappable,
    },
    with: {
        "fermyon:spin/key-value.store": crate::kv::SpinStoreHandle,
        "wasi:keyvalue/store.bucket": crate::kv::BucketHandle,
        "wasi:keyvalue/atomics.cas": crate::backend::CasHandle,
    },
});
