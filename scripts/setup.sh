#!/usr/bin/env bash
# Installs everything building and testing needs, skipping whatever is already there at the
# right version, so a warm machine spends seconds here and a fresh one about 20 minutes
# (wasm-pack and wasm-bindgen-cli compile from source).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
step() { printf '\n==> %s\n' "$*"; }

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

apt_missing=()
command -v chromium >/dev/null || apt_missing+=(chromium)
command -v chromedriver >/dev/null || apt_missing+=(chromium-driver)
command -v node >/dev/null || apt_missing+=(nodejs npm)
if ((${#apt_missing[@]})); then
  step "apt: ${apt_missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi

installed_targets=$(rustup target list --installed)
for target in wasm32-unknown-unknown wasm32-wasip2; do
  grep -qx "$target" <<<"$installed_targets" || { step "rustup target $target"; rustup target add "$target"; }
done
rustup toolchain list | grep -q '^nightly' || { step "rustup nightly (fuzzing)"; rustup toolchain install nightly --profile minimal; }

# wasm-bindgen-cli must be exactly the wasm-bindgen version in Cargo.lock.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$root/Cargo.lock")
if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen_version" ]]; then
  step "cargo install wasm-bindgen-cli $bindgen_version (about 10 minutes)"
  cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi
command -v wasm-pack >/dev/null || { step "cargo install wasm-pack (about 7 minutes)"; cargo install wasm-pack --locked; }
command -v cargo-fuzz >/dev/null || { step "cargo install cargo-fuzz"; cargo install cargo-fuzz --locked; }

# npm devDependencies of the package and the page (binaryen's wasm-opt, typescript, playwright-core, ...),
# then the bundlers of the package's setup matrix (pkg/setups: Vite, webpack, Rollup, esbuild, TypeScript 7)
# and its other runtimes (pkg/setups/runtimes: Node 18 and 22, Deno; binaries from the npm registry).
# Each is skipped while node_modules is newer than its lock file.
for dir in pkg pkg/setups pkg/setups/runtimes; do
  lock="$root/$dir/package-lock.json"
  if [[ ! -f "$root/$dir/node_modules/.package-lock.json" || "$lock" -nt "$root/$dir/node_modules/.package-lock.json" ]]; then
    step "npm ci ($dir/)"
    (cd "$root/$dir" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
  fi
done

# Schemathesis (the OpenAPI stage of scripts/test.sh) at exactly this version, in its own venv.
schemathesis_version=4.32.5
venv="${OPENEHR_DEFS_VENV:-$HOME/.cache/openehr-definitions/venv}"
if [[ "$("$venv/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $schemathesis_version" ]]; then
  step "python venv $venv: schemathesis $schemathesis_version (about 30 seconds)"
  if ! python3 -m venv --help >/dev/null 2>&1; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3-venv >/dev/null
  fi
  python3 -m venv --clear "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi
