#!/usr/bin/env bash
# Schemathesis against the official Definitions OpenAPI documents (1.0.3 and master, in ../shared/spec beside
# the repository): starts `openehr-defs serve` on a free loopback port over a fresh temporary data directory,
# runs each spec version against it (real bodies from hooks.py, bounded in examples and time), stops the server.
# Fails on any 5xx and on any response that contradicts the spec, except the deviations in
# docs/spec-deviations.md (filtered in hooks.py).
#
#   tests/schemathesis/run.sh        # needs scripts/setup.sh's venv and `cargo build -p openehr-defs`
#
# ST_MAX_EXAMPLES (default 50) cases per operation and phase; each spec version is stopped (and fails) after
# ST_TIMEOUT (default 90) seconds. ST_CHECKS replaces the list of checks (`all`: also the request-side checks
# that docs/spec-deviations.md explains are not run).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="${OPENEHR_DEFS_VENV:-$HOME/.cache/openehr-definitions/venv}"
bin="${OPENEHR_DEFS_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/openehr-defs}"
spec_dir="$root/../shared/spec"
max_examples="${ST_MAX_EXAMPLES:-50}"
timeout_seconds="${ST_TIMEOUT:-90}"

[[ -x "$venv/bin/schemathesis" ]] || { echo "schemathesis: no venv at $venv (run scripts/setup.sh)"; exit 1; }
[[ -x "$bin" ]] || { echo "schemathesis: no server binary $bin (cargo build -p openehr-defs)"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/openehr-defs-schemathesis.XXXXXX")
server_pid=
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Port 0: the server picks a free port and prints the address it listens on. Started in the empty work
# directory, so that it serves no www/ at the root.
(cd "$work" && exec "$bin" serve --addr 127.0.0.1:0 --data "$work/data") >"$work/server.log" 2>&1 &
server_pid=$!
addr=
for _ in $(seq 1 100); do
  addr=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/server.log" | head -n 1)
  [[ -n "$addr" ]] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z "$addr" ]]; then
  echo "schemathesis: the server did not start:"
  cat "$work/server.log"
  exit 1
fi
echo "server: $addr (data in $work/data)"

status=0
for version in 1.0.3 master; do
  spec="$spec_dir/$version/definition-validation.openapi.yaml"
  printf '\n--- schemathesis %s against %s\n' "$version" "$spec"
  [[ -f "$spec" ]] || { echo "schemathesis: no $spec (../shared/spec beside the repository)"; status=1; continue; }
  (cd "$work" &&
    SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$root/tests/schemathesis" PYTHONDONTWRITEBYTECODE=1 timeout "$timeout_seconds" \
      "$venv/bin/schemathesis" run "$spec" \
      --url "$addr/v1" \
      --checks "${ST_CHECKS:-not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance}" \
      --max-examples "$max_examples" --seed 1 --workers 2 --output-truncate true \
      --no-color --generation-database none) || status=1
done

# What the server answered, per method, route and status (from its request log).
printf '\n--- responses (method, route, status: count)\n'
awk '$2 == "INFO" && $3 ~ /^[A-Z]+$/ && $5 ~ /^[0-9][0-9][0-9]$/ {
    path = $4; sub(/\?.*/, "", path); n = split(path, seg, "/")
    if (seg[3] != "definition") route = "(other)"
    else if (seg[4] == "query") route = "/definition/query" (n >= 5 ? "/{name}" : "") (n >= 6 ? "/{version}" : "") (n >= 7 ? "/…" : "")
    else if (seg[4] == "template" && n >= 5) route = "/definition/template/" seg[5] (n >= 6 ? "/{id}" : "") (n >= 7 ? "/{version}" : "") (n >= 8 ? "/…" : "")
    else route = "(other)"
    count[$3 " " route " " $5]++
  }
  END { for (k in count) print k ": " count[k] }' "$work/server.log" | sort

# Belt and braces: no 5xx at all, whoever sent the request (the hooks' own uploads included).
if awk '$2 == "INFO" && $5 ~ /^5[0-9][0-9]$/ { found = 1 } END { exit !found }' "$work/server.log"; then
  printf '\nschemathesis: the server answered 5xx:\n'
  grep -E '^[^ ]+ +(INFO|WARN|ERROR) +[A-Z]+ [^ ]+ 5[0-9][0-9] ' "$work/server.log"
  status=1
fi

if ((status != 0)); then
  printf '\n--- server log (last 40 lines)\n'
  tail -n 40 "$work/server.log"
fi
exit "$status"
