#!/usr/bin/env bash
# Per-request cost of the Spin component, measured without Spin: spin-test-host instantiates the
# component afresh for every request, as `spin up` does, and wrk loads it on loopback. The baseline
# is spin-sdk's hello world (tests/load/edge-hello) in the same host; ratios are against it. Its `/kv`
# route also opens the store and reads one key: what any component that reads its data pays.
# Usage: tests/load/edge.sh [--store atomic|spin-sqlite|redis]   (from the repository root)
# spin-sqlite (Spin's default store) also models Spin's cost per host call; EDGE_COMPONENT=path.wasm
# measures another build of the component (e.g. an older commit's) against the same baseline.
# With SPIN_BIN=/path/to/spin the same table is measured under that real Spin CLI instead of the test
# host (`spin up`, one process; --store spin-sqlite: Spin's SQLite store in a fresh file, --store redis:
# a fresh redis-server on loopback). Spin is never downloaded or built here.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-16}
STORE_ARGS=("$@")
TARGET=${CARGO_TARGET_DIR:-target}
cargo build -q --target wasm32-wasip2 --profile edge -p openehr-defs-edge -p edge-hello
cargo build -q --profile spin-host -p spin-test-host
HOST="$TARGET/spin-host/spin-test-host"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/defs-edge-load.XXXXXX")
PID=""
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
  [ -n "${REDIS_PID:-}" ] && kill "$REDIS_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Under a real Spin: the hello world on a catch-all route, the Definitions component (any host arguments:
# its routes) with edge/spin.toml as shipped (its routes and variables), and the runtime config of the store.
REDIS_PID=""
spin_up() { # $1 = component, then the test host's --route arguments (which edge/spin.toml matches)
  local component=$1 store=spin-sqlite port
  [ "${STORE_ARGS[0]:-}" = "--store" ] && store=${STORE_ARGS[1]}
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if [ $# -gt 1 ]; then
    sed "s|^source = .*|source = \"$(realpath "$component")\"|" edge/spin.toml >"$WORK/spin.toml"
  else
    printf 'spin_manifest_version = 2\n[application]\nname = "hello"\n[[trigger.http]]\nroute = "/..."\ncomponent = "c"\n[component.c]\nsource = "%s"\nkey_value_stores = ["default"]\n' \
      "$(realpath "$component")" >"$WORK/spin.toml"
  fi
  case $store in
    redis)
      if [ -z "$REDIS_PID" ]; then
        local redis_port
        redis_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no >"$WORK/redis.log" 2>&1 &
        REDIS_PID=$!
        printf '[key_value_store.default]\ntype = "redis"\nurl = "redis://127.0.0.1:%s"\n' "$redis_port" >"$WORK/runtime.toml"
        sleep 0.5
      fi
      ;;
    *) printf '[key_value_store.default]\ntype = "spin"\npath = "%s/kv-%s.db"\n' "$WORK" "$RANDOM" >"$WORK/runtime.toml" ;;
  esac
  "$SPIN_BIN" up -f "$WORK/spin.toml" --listen "127.0.0.1:$port" --runtime-config-file "$WORK/runtime.toml" \
    >"$WORK/host.log" 2>"$WORK/host.err" &
  PID=$!
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      ADDR="127.0.0.1:$port"
      return 0
    fi
    sleep 0.1
  done
  echo "spin up did not start: $(cat "$WORK/host.err")" >&2
  exit 1
}

start_host() { # $1 = component, then extra host arguments
  local component=$1
  shift
  if [ -n "${SPIN_BIN:-}" ]; then
    spin_up "$component" "$@"
    return 0
  fi
  "$HOST" --component "$component" "${STORE_ARGS[@]}" "$@" >"$WORK/host.log" 2>"$WORK/host.err" &
  PID=$!
  for _ in $(seq 1 600); do
    ADDR=$(sed -n 's#^listening on http://##p' "$WORK/host.log" | head -n1)
    [ -n "$ADDR" ] && return 0
    sleep 0.1
  done
  echo "host did not start: $(cat "$WORK/host.err")" >&2
  exit 1
}
stop_host() { kill -INT "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

BASELINE=""
bench() { # $1 = label, $2 = URL
  local out rps p99 ratio
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$2")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  if grep -q "Non-2xx" <<<"$out"; then rps="$rps (NON-2xx!)"; fi
  [ -z "$BASELINE" ] && BASELINE=${rps%% *}
  ratio=$(awk -v a="${rps%% *}" -v b="$BASELINE" 'BEGIN { printf "%.2fx", a / b }')
  printf '| %-40s | %10s | %6s | %9s |\n' "$1" "$rps" "$ratio" "$p99"
}

printf '| %-40s | %10s | %6s | %9s |\n' "scenario (wrk -t2 -c$CONNECTIONS -d$DURATION)" "req/s" "ratio" "p99"
printf '|%s|%s|%s|%s|\n' "------------------------------------------" "------------" "--------" "-----------"
start_host "$TARGET/wasm32-wasip2/edge/edge_hello.wasm"
bench "hello world (spin-sdk 5.2, baseline)" "http://$ADDR/"
bench "hello world reading one key (store floor)" "http://$ADDR/kv"
stop_host

# Routed as edge/spin.toml routes it.
start_host "${EDGE_COMPONENT:-$TARGET/wasm32-wasip2/edge/openehr_defs_edge.wasm}" --route "/v1/..." --route /healthz
base="http://$ADDR/v1"
for file in tests/fixtures/opt14/valid/ehrbase_integration_test__versioned__*.opt \
  tests/fixtures/opt14/valid/ehrbase_integration_test__all_types__*.opt; do
  curl -s -o /dev/null -H 'Content-Type: application/xml' --data-binary "@$file" "$base/definition/template/adl1.4"
done
curl -s -o /dev/null -X PUT -H 'Content-Type: text/plain' --data 'SELECT e/ehr_id/value FROM EHR e' \
  "$base/definition/query/load::q"
count=$(curl -s "$base/definition/template/adl1.4" | grep -o '"template_id"' | wc -l)
one="$base/definition/template/adl1.4/test_versioned.en.v1"
size=$(curl -s "$one" | wc -c)
bench "GET /healthz" "http://$ADDR/healthz"
bench "GET one template ($((size / 1000)) KB)" "$one"
bench "GET template list ($count templates)" "$base/definition/template/adl1.4"
bench "GET /definition/query/load::q/1" "$base/definition/query/load::q/1"
stop_host
