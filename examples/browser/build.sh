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
  # For size: the smallest code, one codegen unit, LTO, no unwinding.
  export CARGO_PROFILE_RELEASE_OPT_LEVEL=z
  export CARGO_PROFILE_RELEASE_LTO=true
  export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
  export CARGO_PROFILE_RELEASE_PANIC=abort
  export CARGO_PROFILE_RELEASE_DEBUG=false
  export CARGO_PROFILE_RELEASE_STRIP=true
fi
cargo build --target wasm32-unknown-unknown --no-default-features \
  --example browser_page "${args[@]}"
target_dir="${CARGO_TARGET_DIR:-target}"
out="${BROWSER_PAGE_OUT:-examples/browser/pkg}"
wasm-bindgen --target web --no-typescript --out-dir "$out" \
  "$target_dir/wasm32-unknown-unknown/$profile/examples/browser_page.wasm"
if [ "$profile" = release ] && command -v wasm-opt >/dev/null 2>&1; then
  wasm-opt -Oz -o "$out/browser_page_bg.wasm" "$out/browser_page_bg.wasm"
fi
ls -l "$out"
