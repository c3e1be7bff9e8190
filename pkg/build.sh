#!/usr/bin/env bash
# Builds the npm package into dist/ (see README "Package layout"):
#   dist/web/      wasm-bindgen `web` target: ES module + .wasm (wasm-opt -Oz), for `openehr-definitions/web`
#                  and the validation page (copied to ../www/pkg);
#   dist/node/     wasm-bindgen `nodejs` target: CommonJS, loads its .wasm (wasm-opt -O3) synchronously;
#   dist/browser/  the default entry for browsers and bundlers: the web build with its .wasm inlined
#                  (base64), so no bundler or server needs to handle a .wasm file (build-dist.mjs);
#   CODES.md, LICENSE.
# cargo builds the .wasm, wasm-bindgen (the CLI, same version as in Cargo.lock) writes the glue,
# wasm-opt comes from the npm `binaryen` devDependency (Debian's is broken). Skips everything when
# dist/ is newer than every input; FORCE=1 rebuilds anyway. Needs `npm ci` in pkg/ first.
set -euo pipefail

pkg_dir=$(cd "$(dirname "$0")" && pwd)
root_dir=$(cd "$pkg_dir/.." && pwd)
stamp="$pkg_dir/dist/.built"
wasm_opt="$pkg_dir/node_modules/.bin/wasm-opt"
name=openehr_definitions
target_dir="${CARGO_TARGET_DIR:-$root_dir/target}"

inputs=("$pkg_dir/src" "$pkg_dir/Cargo.toml" "$pkg_dir/build.sh" "$pkg_dir/build-dist.mjs" "$root_dir/src" "$root_dir/Cargo.toml"
  "$root_dir/Cargo.lock" "$root_dir/docs/codes.md" "$root_dir/LICENSE")
if [[ -z "${FORCE:-}" && -f "$stamp" && -z "$(find "${inputs[@]}" -newer "$stamp" -print -quit)" ]]; then
  echo "pkg/dist is up to date (FORCE=1 to rebuild)"
else
  [[ -x "$wasm_opt" ]] || { echo "missing $wasm_opt: run 'npm ci' in pkg/ first" >&2; exit 1; }
  rm -rf "${pkg_dir:?}/dist"
  # wasm SIMD (simd128) speeds up memchr and UTF-8 checks in quick-xml and the validator by about
  # 25%; every current browser (Chrome 91+, Firefox 89+, Safari 16.4+) and Node 16+ has it.
  export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+simd128"
  for target in web nodejs; do
    out="$pkg_dir/dist/${target/nodejs/node}"
    # Browsers download the .wasm: size first. Node reads it from disk: speed first.
    if [[ $target == nodejs ]]; then profile=wasm-speed opt=-O3; else profile=wasm-release opt=-Oz; fi
    cargo build --quiet --manifest-path "$root_dir/Cargo.toml" -p openehr-definitions-wasm \
      --target wasm32-unknown-unknown --profile "$profile"
    wasm-bindgen --target "$target" --out-dir "$out" --out-name "$name" \
      "$target_dir/wasm32-unknown-unknown/$profile/openehr_definitions_wasm.wasm"
    # The features the build enables (rustc's wasm32 defaults plus simd128); wasm-opt must keep to them.
    "$wasm_opt" "$opt" --strip-debug --strip-producers --enable-simd --enable-bulk-memory --enable-mutable-globals \
      --enable-sign-ext --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
      "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm"
  done
  node "$pkg_dir/build-dist.mjs"
  touch "$stamp"
fi

rm -rf "$root_dir/www/pkg"
mkdir -p "$root_dir/www/pkg"
cp "$pkg_dir/dist/web/$name.js" "$pkg_dir/dist/web/${name}_bg.wasm" "$root_dir/www/pkg/"

for build in web/${name}_bg.wasm node/${name}_bg.wasm browser/${name}_wasm.js; do
  file="$pkg_dir/dist/$build"
  echo "dist/$build: $(wc -c <"$file") bytes raw, $(gzip -9 -c "$file" | wc -c) bytes gzip -9"
done
