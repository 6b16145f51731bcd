#!/usr/bin/env bash
# The CPU a clean release build costs: a program that sends one click event
# with algolia-insights (default features), against the same program written
# with serde + reqwest directly, with the crate's TLS (rustls + ring:
# `floor`) and with reqwest's default features (rustls + aws-lc-rs:
# `floor_default`). Dependencies are fetched first; each build starts from an
# empty target directory; `user + sys` of the whole `cargo build` counts.
#
#   bash benches/build_cost/run.sh [ROUNDS]      (from the repository root;
#   PROGRAMS="ours floor" to build only those)
set -euo pipefail
cd "$(dirname "$0")"
rounds=${1:-1}
work=${BUILD_COST_DIR:-${CARGO_TARGET_DIR:-$PWD/../../target}/build-cost}
mkdir -p "$work"
for program in ${PROGRAMS:-ours floor floor_default}; do
  # Start from the workspace's lock file, so that shared crates are the same versions.
  cp ../../Cargo.lock "$program/Cargo.lock"
  (cd "$program" && cargo fetch --quiet)
done
for round in $(seq "$rounds"); do
  for program in ${PROGRAMS:-ours floor floor_default}; do
    target="$work/$program"
    rm -rf "$target"
    /usr/bin/time -f "%U %S %e" -o "$work/time" \
      cargo build --quiet --release --manifest-path "$program/Cargo.toml" --target-dir "$target"
    read -r user sys wall < "$work/time"
    printf 'round %s  %-14s  CPU %7.1f s (user %.1f + sys %.1f)  wall %6.1f s\n' \
      "$round" "$program" "$(awk "BEGIN { print $user + $sys }")" "$user" "$sys" "$wall"
  done
done
