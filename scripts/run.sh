#!/usr/bin/env bash
# Builds everything (the npm package and the page's web build, the Spin component, the CLI) and
# serves the validation page and the Definitions API on http://127.0.0.1:${PORT:-8080}.
# Data is kept in edge/.spin/sqlite_key_value.db, the file `spin up` in edge/ uses too.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

printf '\n==> npm package and the page build (pkg/dist, www/pkg)\n'
bash pkg/build.sh
printf '\n==> Spin component (edge/)\n'
cargo build --profile edge --target wasm32-wasip2 -p openehr-defs-edge
printf '\n==> openehr-defs\n'
cargo build --release -p openehr-defs

printf '\n==> serving: page at http://127.0.0.1:%s/, API at http://127.0.0.1:%s/v1 (Ctrl-C stops)\n' "${PORT:-8080}" "${PORT:-8080}"
exec "$CARGO_TARGET_DIR/release/openehr-defs" serve --addr "127.0.0.1:${PORT:-8080}" --data edge --www www "$@"
