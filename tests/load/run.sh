#!/usr/bin/env bash
# Load benchmark of the native server on loopback (wrk, each run 5 s, 2 threads, 16 connections).
# Usage: tests/load/run.sh   (from the repository root; builds `load-server` in release mode)
# LOAD_SERVER=path runs another build of load-server (e.g. an older commit's) with the same scenarios.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-16}
if [ -z "${LOAD_SERVER:-}" ]; then cargo build --release -q -p load; fi
BIN="${LOAD_SERVER:-${CARGO_TARGET_DIR:-target}/release/load-server}"
UPLOAD_OPT="$PWD/tests/fixtures/opt14/valid/ehrbase_integration_test__opt__minimal_action.opt"
export UPLOAD_OPT
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

bench() { # $1 = label, $2 = URL, then any request headers ("Accept: ...")
  local out rps p99 label=$1 url=$2
  shift 2
  local headers=()
  for h in "$@"; do headers+=(-H "$h"); done
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "${headers[@]}" "$url")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  if grep -q "Non-2xx" <<<"$out"; then rps="$rps (NON-2xx!)"; fi
  printf '| %-44s | %12s | %9s |\n' "$label" "$rps" "$p99"
}

printf '| %-44s | %12s | %9s |\n' "scenario (wrk -t2 -c$CONNECTIONS -d$DURATION)" "req/s" "p99"
printf '|%s|%s|%s|\n' "----------------------------------------------" "--------------" "-----------"
for n in 1000 10000; do
  start_server "$n"
  base="http://$ADDR/v1"
  if [ "$n" = 1000 ]; then
    bench "GET /healthz (ceiling)" "http://$ADDR/healthz"
    bench "GET one template (1 000 stored)" "$base/definition/template/adl1.4/load.template.000500"
    one="$base/definition/template/adl1.4/load.template.000500"
    wt="Accept: application/openehr.wt+json"
    bench "GET its web template (cached on 1st read)" "$one" "$wt"
    etag=$(curl -s -o /dev/null -D - -H "$wt" "$one" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
    bench "GET its web template, If-None-Match (304)" "$one" "$wt" "If-None-Match: $etag"
    bench "GET /definition/query/load::q/1" "$base/definition/query/load::q/1"
  else
    bench "GET one template (10 000 stored)" "$base/definition/template/adl1.4/load.template.005000"
  fi
  bench "GET template list ($n templates)" "$base/definition/template/adl1.4"
  stop_server
done

# Reads while writes run: 4 connections upload new templates for the whole run, beside the GETs.
bench_with_uploads() { # $1 = label, $2 = connections, $3 = URL
  local uploads="$WORK/uploads.txt"
  UPLOAD_TAG="c$2.$$.$RANDOM" wrk -t1 -c4 -d"$DURATION" --latency -s tests/load/wrk/upload.lua "http://$ADDR/" >"$uploads" &
  local upload_pid=$!
  CONNECTIONS=$2 bench "$1" "$3"
  wait "$upload_pid"
  local upload_rps
  upload_rps=$(awk '/^Requests\/sec/ {print $2}' "$uploads")
  if grep -q "Non-2xx" "$uploads"; then upload_rps="$upload_rps (NON-2xx!)"; fi
  printf '| %-44s | %12s | %9s |\n' "  (uploads beside it: POST new OPT, -c4)" \
    "$upload_rps" "$(awk '$1 == "99%" {print $2}' "$uploads")"
}
start_server 1000
for c in 16 64; do
  bench_with_uploads "GET one template, -c$c, uploads running" "$c" "http://$ADDR/v1/definition/template/adl1.4/load.template.000500"
done
stop_server
