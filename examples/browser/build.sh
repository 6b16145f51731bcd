#!/usr/bin/env bash
# Builds the example page: the wasm module (wasm32, no default features:
# the browser's fetch does TLS), then its JavaScript bindings, into
# examples/browser/pkg/. Serve examples/browser/ over HTTP and open
# index.html?host=http://127.0.0.1:PORT (a local server: `algolia-insights
# serve`), or with no host for Algolia's.
#
#   bash examples/browser/build.sh            # a debug build
#   bash examples/browser/build.sh --release  # built for size (BENCHMARKS.md)
#
# Needs: rustup target add wasm32-unknown-unknown, and wasm-bindgen-cli at
# the version of wasm-bindgen in Cargo.lock (.ci/run installs both).
set -euo pipefail
cd "$(dirname "$0")/../.."
profile=debug
args=()
if [ "${1:-}" = --release ]; then
  profile=release
  args+=(--release)
  # For size: the smallest code, one codegen unit, LTO, no unwinding, no
  # debug info (wasm-bindgen keeps the function names: size.py reads them).
  export CARGO_PROFILE_RELEASE_OPT_LEVEL=z
  export CARGO_PROFILE_RELEASE_LTO=true
  export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
  export CARGO_PROFILE_RELEASE_PANIC=abort
  export CARGO_PROFILE_RELEASE_DEBUG=false
fi
cargo build --target wasm32-unknown-unknown --no-default-features \
  --example browser_page "${args[@]}"
target_dir="${CARGO_TARGET_DIR:-target}"
out="${BROWSER_PAGE_OUT:-examples/browser/pkg}"
module="$target_dir/wasm32-unknown-unknown/$profile/examples/browser_page.wasm"
bindgen_args=()
if [ "$profile" = release ]; then
  # The page ships without the function names; a copy keeps them for
  # `python3 examples/browser/size.py $out/names/browser_page_bg.wasm`.
  wasm-bindgen --target web --no-typescript --out-dir "$out/names" "$module"
  bindgen_args+=(--remove-name-section)
fi
wasm-bindgen --target web --no-typescript "${bindgen_args[@]}" --out-dir "$out" "$module"
if [ "$profile" = release ] && command -v wasm-opt >/dev/null 2>&1; then
  wasm-opt -Oz -o "$out/browser_page_bg.wasm" "$out/browser_page_bg.wasm"
fi
ls -l "$out"
