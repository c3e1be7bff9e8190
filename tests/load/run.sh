#!/usr/bin/env bash
# Load benchmark of the native server on loopback (wrk, each run 5 s, 2 threads, 16 connections).
# Usage: tests/load/run.sh   (from the repository root; builds `load-server` in release mode)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-16}
cargo build --release -q -p load
BIN="${CARGO_TARGET_DIR:-target}/release/load-server"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/defs-load.XXXXXX")
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

start_server() { # $1 = number of templates
  local dir="$WORK/data-$1" log="$WORK/server-$1.log"
  "$BIN" --data-dir "$dir" --templates "$1" >"$log" 2>"$log.err" &
  PID=$!
  for _ in $(seq 1 600); do
    ADDR=$(sed -n 's#^listening on http://##p' "$log" | head -n1)
    [ -n "$ADDR" ] && return 0
    sleep 0.1
  done
  echo "server did not start: $(cat "$log.err")" >&2; exit 1
}
stop_server() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

bench() { # $1 = label, $2 = URL
  local out rps p99
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$2")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  if grep -q "Non-2xx" <<<"$out"; then rps="$rps (NON-2xx!)"; fi
  printf '| %-44s | %12s | %9s |\n' "$1" "$rps" "$p99"
}

printf '| %-44s | %12s | %9s |\n' "scenario (wrk -t2 -c$CONNECTIONS -d$DURATION)" "req/s" "p99"
printf '|%s|%s|%s|\n' "----------------------------------------------" "--------------" "-----------"
for n in 1000 10000; do
  start_server "$n"
  base="http://$ADDR/v1"
  if [ "$n" = 1000 ]; then
    bench "GET /healthz (ceiling)" "http://$ADDR/healthz"
    bench "GET one template (1 000 stored)" "$base/definition/template/adl1.4/load.template.000500"
    bench "GET /definition/query/load::q/1" "$base/definition/query/load::q/1"
  else
    bench "GET one template (10 000 stored)" "$base/definition/template/adl1.4/load.template.005000"
  fi
  bench "GET template list ($n templates)" "$base/definition/template/adl1.4"
  stop_server
done
