#!/usr/bin/env bash
# Runs every test of the project: installs what is missing (scripts/setup.sh), then each stage
# in turn. A failing stage does not hide the later ones; the last line counts the stages, and the
# exit status is non-zero when any failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh || { echo "setup failed"; exit 2; }
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

passed=0
failed=()
stage() {
  local name=$1
  shift
  printf '\n==> %s\n' "$name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    printf '<== %s: ok (%ss)\n' "$name" $((SECONDS - start))
  else
    failed+=("$name")
    printf '<== %s: FAILED (%ss)\n' "$name" $((SECONDS - start))
  fi
}

fmt() {
  cargo fmt --all --check && cargo fmt --manifest-path fuzz/Cargo.toml --check
}

clippy() {
  cargo clippy --all-targets -- -D warnings &&
    cargo clippy -p openehr-definitions --all-targets --features serde -- -D warnings &&
    cargo clippy -p openehr-definitions --all-targets --features wasm-types -- -D warnings &&
    cargo clippy -p openehr-definitions-wasm --target wasm32-unknown-unknown --all-targets -- -D warnings &&
    cargo clippy -p openehr-defs-edge --target wasm32-wasip2 -- -D warnings
}

# Core, CLI, HTTP API, native server and the conformance suite (in-process and over loopback).
rust_tests() {
  cargo test
}

# Schemathesis (scripts/setup.sh's venv) against the official OpenAPI documents of 1.0.3 and master
# (../shared/spec), the native server on loopback over a fresh data directory: no 5xx, and no status code,
# Content-Type, header or JSON body the spec does not document, except docs/spec-deviations.md.
openapi_schemathesis() {
  cargo build -p openehr-defs &&
    OPENEHR_DEFS_BIN="$CARGO_TARGET_DIR/debug/openehr-defs" bash tests/schemathesis/run.sh
}

# The Spin component (wasm32-wasip2) served by the wasmtime test host on loopback, with the
# conformance suite (built by `cargo test` above) run against it.
spin_component() {
  cargo build --target wasm32-wasip2 --profile edge -p openehr-defs-edge &&
    cargo test --profile spin-host -p spin-test-host &&
    cargo clippy --profile spin-host -p spin-test-host --all-targets -- -D warnings
}

# Each parser, and the HTTP API, runs for a short smoke under libFuzzer, seeded from the fixtures.
fuzz_smoke() {
  (cd fuzz && ./seed-corpus.sh >/dev/null && CARGO_TARGET_DIR="$CARGO_TARGET_DIR/fuzz" cargo +nightly fuzz build) &&
    for target in ident adl2 opt web_template web_template_json aql flat api; do
      (cd fuzz && CARGO_TARGET_DIR="$CARGO_TARGET_DIR/fuzz" cargo +nightly fuzz run "$target" -- -max_total_time=15 -print_final_stats=0 2>&1 | tail -n 3) ||
        return 1
    done
}

# The throughput benchmark, briefly: it checks the corpus is still all valid and prints the ratios.
bench_smoke() {
  cargo bench --bench throughput -- --quick &&
    cargo bench --bench aql -- --quick
}

# The npm package: its wasm builds, then every fixture through the Node build compared with the
# native CLI's --json, the API, `npx openehr-definitions check` vs the native `check`, the packed
# tarball's contents and declarations (and the core's with `wasm-types`).
npm_package() {
  bash pkg/build.sh &&
    cargo build -p openehr-defs &&
    cargo test -p openehr-definitions --features wasm-types --test ts_types &&
    OPENEHR_DEFS_BIN="$CARGO_TARGET_DIR/debug/openehr-defs" node --test \
      $(find pkg/test -maxdepth 1 -name '*.test.mjs' ! -name setups.test.mjs | sort)
}

# The packed package installed into the fixture projects of pkg/setups/ with zero configuration:
# Node ESM/CJS, npx, tsc 5.9/7 (bundler, node16, nodenext), and in Chromium the Vite dev server and
# build, webpack 5.113 and 5.90, Rollup, esbuild and a plain page (pkg/test/setups.test.mjs).
npm_setups() {
  bash pkg/build.sh && node --test pkg/test/setups.test.mjs
}

# The browser build under wasm-bindgen-test in headless Chromium.
wasm_in_chromium() {
  WASM_BINDGEN_TEST_TIMEOUT=120 wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver pkg
}

# The validation page end to end in Chromium (playwright-core): drop files, diagnostics, upload.
page_e2e() {
  node --test www/test/
}

stage "rustfmt" fmt
stage "clippy" clippy
stage "rust tests" rust_tests
stage "OpenAPI (schemathesis)" openapi_schemathesis
stage "Spin component" spin_component
stage "fuzz smoke" fuzz_smoke
stage "benchmark smoke" bench_smoke
stage "npm package" npm_package
stage "npm package setups" npm_setups
stage "wasm in Chromium" wasm_in_chromium
stage "page end to end" page_e2e

echo
if ((${#failed[@]})); then
  echo "failed stages: ${failed[*]}"
fi
echo "stages: $passed passed, ${#failed[@]} failed"
((${#failed[@]} == 0))
