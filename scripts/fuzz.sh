#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets) for a bounded time each, starting from the
# committed seeds (fuzz/seeds) plus whatever earlier runs found (fuzz/corpus, not committed).
#
#   scripts/fuzz.sh              20 s per target (what CI runs)
#   scripts/fuzz.sh 3600         an hour per target
#   scripts/fuzz.sh 600 sandbox_requests   one target
#
# A crash, a panic, a hang (10 s per input) or more than 2 GB of memory fails the run and
# leaves the input in fuzz/artifacts/TARGET/; `cargo fuzz run TARGET FILE` replays it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PER_TARGET="${1:-20}"
shift || true

# cargo-fuzz passes flags only a nightly compiler takes; the stable one takes them this way.
export RUSTC_BOOTSTRAP=1
cd "$ROOT/fuzz"
# The targets fuzz safe Rust: panics, overflows (checked in this build), hangs and memory are
# what they look for, so no sanitizer (which would only slow every run down).
cargo fuzz build -s none
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
for target in "${targets[@]}"; do
  printf '\n== fuzz %s for %ss\n' "$target" "$PER_TARGET"
  mkdir -p "corpus/$target"
  cargo fuzz run -s none "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$PER_TARGET" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 2>&1 | grep -E '^(Done|stat::number_of_executed_units|==|INFO: seed corpus)|ERROR|panicked|SUMMARY' || true
  if ls "artifacts/$target"/* >/dev/null 2>&1; then
    echo "fuzz: $target found a failing input: $(ls "artifacts/$target")" >&2
    exit 1
  fi
done
