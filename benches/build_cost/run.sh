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
rm -f "$work/cpu"
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
    echo "$round $program $(awk "BEGIN { print $user + $sys }")" >> "$work/cpu"
  done
done
# Each program against the floor of the same round (the machine's speed
# drifts from one round to the next): the median and the range.
if grep -q ' floor ' "$work/cpu"; then
  for program in ${PROGRAMS:-ours floor floor_default}; do
    [ "$program" = floor ] && continue
    awk -v program="$program" '
      $2 == "floor" { floor[$1] = $3 }
      $2 == program { cpu[$1] = $3 }
      END {
        n = 0
        for (r in cpu) if (r in floor) ratios[++n] = cpu[r] / floor[r]
        if (n == 0) exit
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
          if (ratios[j] < ratios[i]) { t = ratios[i]; ratios[i] = ratios[j]; ratios[j] = t }
        median = n % 2 ? ratios[(n + 1) / 2] : (ratios[n / 2] + ratios[n / 2 + 1]) / 2
        printf "%-14s / floor: median %.2fx (%.2f-%.2fx) over %d rounds\n", program, median, ratios[1], ratios[n], n
      }' "$work/cpu"
  done
fi
