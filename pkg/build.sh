#!/usr/bin/env bash
# Builds the npm package: wasm-pack for the web, nodejs and bundler targets into dist/, then
# wasm-opt (from the npm `binaryen` devDependency; Debian's is broken) on each .wasm: -Oz for the
# browser builds, -O3 for Node; and
# copies the web build to ../www/pkg for the validation page. Skips everything when dist/ is
# newer than every input; FORCE=1 rebuilds anyway. Needs `npm ci` in pkg/ first.
set -euo pipefail

pkg_dir=$(cd "$(dirname "$0")" && pwd)
root_dir=$(cd "$pkg_dir/.." && pwd)
stamp="$pkg_dir/dist/.built"
wasm_opt="$pkg_dir/node_modules/.bin/wasm-opt"
name=openehr_definitions

inputs=("$pkg_dir/src" "$pkg_dir/Cargo.toml" "$pkg_dir/build.sh" "$root_dir/src" "$root_dir/Cargo.toml" "$root_dir/Cargo.lock")
if [[ -z "${FORCE:-}" && -f "$stamp" && -z "$(find "${inputs[@]}" -newer "$stamp" -print -quit)" ]]; then
  echo "pkg/dist is up to date (FORCE=1 to rebuild)"
else
  [[ -x "$wasm_opt" ]] || { echo "missing $wasm_opt: run 'npm ci' in pkg/ first" >&2; exit 1; }
  # wasm SIMD (simd128) speeds up memchr and UTF-8 checks in quick-xml and the validator by about
  # 25%; every current browser (Chrome 91+, Firefox 89+, Safari 16.4+) and Node 16+ has it.
  export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+simd128"
  for target in web nodejs bundler; do
    out="dist/${target/nodejs/node}"
    # Browsers download the .wasm: size first. Node reads it from disk: speed first.
    if [[ $target == nodejs ]]; then profile=wasm-speed opt=-O3; else profile=wasm-release opt=-Oz; fi
    rm -rf "${pkg_dir:?}/$out"
    wasm-pack --quiet build "$pkg_dir" --target "$target" --out-dir "$out" --out-name "$name" \
      --profile "$profile" --no-pack --no-gitignore
    # The features the build enables (rustc's wasm32 defaults plus simd128); wasm-opt must keep to them.
    "$wasm_opt" "$opt" --strip-debug --strip-producers --enable-simd --enable-bulk-memory --enable-mutable-globals \
      --enable-sign-ext --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
      "$pkg_dir/$out/${name}_bg.wasm" -o "$pkg_dir/$out/${name}_bg.wasm"
    rm -f "$pkg_dir/$out/README.md" "$pkg_dir/$out/LICENSE"*
  done
  # The nodejs build is CommonJS; this package.json keeps Node from reading it as an ES module.
  echo '{ "type": "commonjs" }' >"$pkg_dir/dist/node/package.json"
  touch "$stamp"
fi

rm -rf "$root_dir/www/pkg"
mkdir -p "$root_dir/www/pkg"
cp "$pkg_dir/dist/web/$name.js" "$pkg_dir/dist/web/${name}_bg.wasm" "$root_dir/www/pkg/"

for build in web node; do
  wasm="$pkg_dir/dist/$build/${name}_bg.wasm"
  echo "wasm ($build): $(wc -c <"$wasm") bytes raw, $(gzip -9 -c "$wasm" | wc -c) bytes gzip -9"
done
