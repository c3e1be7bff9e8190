#!/usr/bin/env bash
# The conformance suite and the race cases against a REAL Spin CLI serving edge/, if one is installed:
# `$SPIN_BIN`, else `spin` on PATH. Never downloads or builds Spin; without it, prints a skip line and exits 0.
#
#   tests/spin-host/real-spin.sh            # SPIN_BIN=/path/to/spin to pick a binary
#
# Backends, each run with a fresh, empty store for the suite and again for the races:
#   - Spin's default SQLite store (`type = "spin"`), its database in a temporary directory;
#   - Redis (`type = "redis"`), on a `redis-server` started here on a free loopback port, if `redis-server` exists.
# REAL_SPIN_PROCESSES (default 2) `spin up` processes share each store (like `spin-test-host --listeners 2`); the
# conformance runner spreads its requests round-robin over them. Exit status: non-zero if any run failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target_dir="${CARGO_TARGET_DIR:-$root/target}"
processes="${REAL_SPIN_PROCESSES:-2}"
token=real-spin-token

spin_bin="${SPIN_BIN:-}"
if [[ -z "$spin_bin" ]]; then
  spin_bin=$(command -v spin || true)
fi
if [[ -z "$spin_bin" || ! -x "$spin_bin" ]]; then
  echo "real Spin: skipped (no spin binary; set SPIN_BIN)"
  exit 0
fi
echo "real Spin: $spin_bin ($("$spin_bin" --version 2>&1 | head -n 1))"

(cd "$root" &&
  cargo build --target wasm32-wasip2 --profile edge -p openehr-defs-edge &&
  cargo build --release -p conformance) || { echo "real Spin: building the component or the runner failed"; exit 1; }
component="$target_dir/wasm32-wasip2/edge/openehr_defs_edge.wasm"
conformance="$target_dir/release/conformance"

work=$(mktemp -d "${TMPDIR:-/tmp}/real-spin.XXXXXX")
pids=() # every process this script started, stopped on exit

# stop PID...: Ctrl-C first (`spin up` then stops its trigger child process), SIGTERM after 5 s; then forgets
# the PIDs, so that a reused PID is never signalled.
stop() {
  local pid kept=() p
  for pid in "$@"; do
    kill -INT "$pid" 2>/dev/null
  done
  for pid in "$@"; do
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  for p in "${pids[@]}"; do
    [[ " $* " == *" $p "* ]] || kept+=("$p")
  done
  pids=("${kept[@]}")
}

cleanup() {
  ((${#pids[@]} > 0)) && stop "${pids[@]}"
  rm -rf "$work"
}
trap cleanup EXIT

# The manifest as shipped, with `source` pointing at the component we just built (CARGO_TARGET_DIR may differ).
sed "s|^source = .*|source = \"$component\"|" "$root/edge/spin.toml" >"$work/spin.toml"
grep -q "^source = \"$component\"" "$work/spin.toml" || { echo "real Spin: could not rewrite source in spin.toml"; exit 1; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for_port PORT PID LOG: until something accepts on PORT, or PID exits (then show LOG).
wait_for_port() {
  local port=$1 pid=$2 log=$3
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "process $pid exited before listening on $port:"
      tail -n 40 "$log"
      return 1
    fi
    sleep 0.1
  done
  echo "nothing listens on $port after 60 s:"
  tail -n 40 "$log"
  return 1
}

failures=()

# run_once NAME RUNTIME_CONFIG CONFORMANCE_ARGS...: starts the `spin up` processes over the store described by
# RUNTIME_CONFIG, runs the conformance binary against all of them, stops them.
run_once() {
  local name=$1 config=$2
  shift 2
  local started=() urls=() i port log
  for i in $(seq 1 "$processes"); do
    port=$(free_port)
    log="$work/$name.spin$i.log"
    SPIN_VARIABLE_WRITE_TOKEN=$token "$spin_bin" up -f "$work/spin.toml" --listen "127.0.0.1:$port" \
      --runtime-config-file "$config" >"$log" 2>&1 &
    started+=($!)
    pids+=($!)
    if ! wait_for_port "$port" "$!" "$log"; then
      stop "${started[@]}"
      failures+=("$name (spin up)")
      return
    fi
    urls+=(--base-url "http://127.0.0.1:$port/v1")
  done
  echo "==> $name"
  if "$conformance" "${urls[@]}" --token "$token" "$@"; then
    echo "<== $name: ok"
  else
    failures+=("$name")
    echo "<== $name: FAILED; the last lines of each Spin log:"
    for log in "$work/$name".spin*.log; do
      echo "--- $(basename "$log")"
      tail -n 20 "$log"
    done
  fi
  stop "${started[@]}"
}

# --- Spin's default SQLite store: a new database file per run.
for kind in suite races; do
  cat >"$work/sqlite-$kind.toml" <<EOF
[key_value_store.default]
type = "spin"
path = "$work/sqlite-$kind/kv.db"
EOF
  flags=()
  [[ $kind == races ]] && flags=(--races)
  run_once "sqlite-$kind" "$work/sqlite-$kind.toml" "${flags[@]}"
done

# --- Redis: a new, empty redis-server per run (no persistence).
redis_bin=$(command -v redis-server || true)
if [[ -z "$redis_bin" ]]; then
  echo "real Spin + Redis: skipped (no redis-server)"
else
  for kind in suite races; do
    redis_port=$(free_port)
    mkdir -p "$work/redis-$kind"
    "$redis_bin" --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$work/redis-$kind" \
      >"$work/redis-$kind.log" 2>&1 &
    redis_pid=$!
    pids+=("$redis_pid")
    if ! wait_for_port "$redis_port" "$redis_pid" "$work/redis-$kind.log"; then
      failures+=("redis-$kind (redis-server)")
      continue
    fi
    cat >"$work/redis-$kind.toml" <<EOF
[key_value_store.default]
type = "redis"
url = "redis://127.0.0.1:$redis_port"
EOF
    flags=()
    [[ $kind == races ]] && flags=(--races)
    run_once "redis-$kind" "$work/redis-$kind.toml" "${flags[@]}"
    stop "$redis_pid"
  done
fi

if ((${#failures[@]} > 0)); then
  echo "real Spin: FAILED: ${failures[*]}"
  exit 1
fi
echo "real Spin: all runs passed"
