#!/usr/bin/env bash
# A long fuzz campaign: each target in turn until RUNS executions (default 10 million) or
# MAX_TIME seconds, with libFuzzer's final statistics in fuzz/logs/<target>.log.
#
#   fuzz/campaign.sh                 # every target, one after another
#   fuzz/campaign.sh aql flat        # some of them
#   JOBS=2 fuzz/campaign.sh          # two at a time (one per core)
#
# Not part of the test command (CI runs each target for 15 s). Built without a sanitizer and
# with overflow checks: the crates have no `unsafe`, so AddressSanitizer finds nothing that a
# panic would not, at a third of the speed; an overflow, though, is a bug worth a crash.
# MAX_LEN bounds the inputs the fuzzer makes (the seeds are real files of up to megabytes).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
runs=${RUNS:-10000000}
max_time=${MAX_TIME:-7200}
jobs=${JOBS:-1}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo +nightly fuzz list)
flags=(-O -a -s none)
./seed-corpus.sh
mkdir -p logs
cargo +nightly fuzz build "${flags[@]}"

run() {
  local target=$1
  echo "$(date +%T) $target: started"
  # `-max_len` for the parsers of whole files; the identifier and API targets keep the default.
  local len=()
  case $target in
    opt | web_template | adl2) len=(-max_len="${MAX_LEN:-16384}") ;;
    aql | flat) len=(-max_len="${MAX_LEN:-4096}") ;;
    web_template_json) len=(-max_len="${MAX_LEN:-32768}") ;;
  esac
  if cargo +nightly fuzz run "${flags[@]}" "$target" -- -runs="$runs" -max_total_time="$max_time" \
    "${len[@]}" -print_final_stats=1 >"logs/$target.log" 2>&1; then
    echo "$(date +%T) $target: $(grep -E '^Done' "logs/$target.log" || echo 'ended')"
  else
    echo "$(date +%T) $target: FAILED, see fuzz/logs/$target.log and fuzz/artifacts/$target/"
  fi
}

for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run "$target" &
done
wait
