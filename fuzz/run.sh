#!/usr/bin/env bash
# Run every fuzz target for SECONDS (default 600), JOBS at a time (default
# 2), each from its seeds plus the corpus it has grown. Needs a nightly
# toolchain and cargo-fuzz:
#
#     rustup toolchain install nightly && cargo install cargo-fuzz
#     bash fuzz/run.sh [SECONDS] [JOBS]
#
# A crash leaves its input in fuzz/artifacts/TARGET/; copy it to
# fuzz/regressions/TARGET/ once fixed, and `cargo test` replays it.
set -uo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
jobs=${2:-2}
cargo +nightly fuzz build -O
targets=$(cargo +nightly fuzz list)
# Seeds: the example repositories and the built-in packs, by format.
rm -rf seeds && mkdir -p seeds
for t in $targets; do mkdir -p "seeds/$t"; done
find ../examples -type f -size -64k -exec cp --backup=numbered -t seeds/extractors {} +
find ../rules -name '*.nhi' -exec cp --backup=numbered -t seeds/rule_pack {} +
find ../examples -type f -size -64k -exec cp --backup=numbered -t seeds/detectors {} +
mkdir -p logs
run() {
  local t=$1
  mkdir -p "corpus/$t"
  cargo +nightly fuzz run -O "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    > "logs/$t.log" 2>&1
  echo "$t: exit $? $(grep -E '^stat::number_of_executed_units' "logs/$t.log" | awk '{print $2}') runs"
}
export -f run
export seconds
printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c 'run {}'
