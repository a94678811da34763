#!/usr/bin/env bash
# Speed and memory of a full scan of the Linux 6.1 source tree, against
# `rg -c AKIA` over the same tree (the issue's yardstick: within 3x).
#
#     bash bench/linux.sh            # both, page cache warm, 2 runs each
#     THREADS="1 2 16" bash bench/linux.sh   # scaling
#     BASELINE=/tmp/nhigate-old bash bench/linux.sh   # against another build
#     PROGRESS=1 bash bench/linux.sh # also on a pseudo-terminal, progress line drawn
#     PAIRS=15 RUNS=0 THREADS= bash bench/linux.sh   # only: rg and nhigate back to back,
#                                    # 15 times; the median of the ratios
#
# On a machine shared with noisy neighbours, the speed of both moves by a
# third between minutes; a ratio taken within one pair of runs is steadier
# than one taken between two hyperfine batches.
#
# Installs Debian's linux-source, ripgrep and hyperfine when missing, and
# extracts the tree under $BENCH_WORK (default /tmp/nhigate-bench, outside
# the repository so that its .gitignore does not hide the tree).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${BENCH_WORK:-/tmp/nhigate-bench}
tree=$work/linux-source-6.1
need=()
command -v rg >/dev/null || need+=(ripgrep)
command -v hyperfine >/dev/null || need+=(hyperfine)
[ -x /usr/bin/time ] || need+=(time)
[ -f /usr/src/linux-source-6.1.tar.xz ] || [ -d "$tree" ] || need+=(linux-source-6.1)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -q && apt-get install -y -q "${need[@]}"
fi
mkdir -p "$work"
if [ ! -d "$tree" ]; then
  tar -xf /usr/src/linux-source-6.1.tar.xz -C "$work"
fi
echo "tree: $(find "$tree" -type f | wc -l) files, $(du -sh "$tree" | cut -f1)"
cargo build --release --quiet
bin=./target/release/nhigate
# Warm the page cache.
cat $(find "$tree" -type f) > /dev/null 2>&1 || true
[ "${RUNS:-3}" = 0 ] || hyperfine -i --warmup 1 --runs "${RUNS:-3}" \
  "rg -c AKIA $tree" \
  "$bin check $tree --now 2025-06-30 --format json --output /dev/null" \
  ${BASELINE:+"$BASELINE check $tree --now 2025-06-30 --format json --output /dev/null"} \
  ${PROGRESS:+"script -qec 'env -u CI $bin check $tree --now 2025-06-30 --format json --output /dev/null' /dev/null"} || true
for j in ${THREADS-1 2}; do
  /usr/bin/time -o /tmp/nhigate-time -f "nhigate -j$j: %e s wall, %M KiB peak RSS" \
    $bin check "$tree" --now 2025-06-30 --format json --output /dev/null -j "$j" 2>/dev/null || true
  cat /tmp/nhigate-time
done
if [ -n "${PAIRS:-}" ]; then
  pairs=$(mktemp)
  for i in $(seq "$PAIRS"); do
    a=$( { /usr/bin/time -f %e rg -c AKIA "$tree" > /dev/null; } 2>&1 )
    b=$( { /usr/bin/time -f %e $bin check "$tree" --now 2025-06-30 --format json --output /dev/null; } 2>&1 | tail -1 || true)
    echo "$a $b" | awk '{ printf "%.3f %.2f %.2f\n", $2 / $1, $1, $2 }' | tee -a "$pairs"
  done
  median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
  echo "median of $PAIRS pairs (ratio, rg s, nhigate s): $(cut -d' ' -f1 "$pairs" | median)x," \
    "$(cut -d' ' -f2 "$pairs" | median) s, $(cut -d' ' -f3 "$pairs" | median) s;" \
    "ratios $(cut -d' ' -f1 "$pairs" | sort -n | head -1)-$(cut -d' ' -f1 "$pairs" | sort -n | tail -1)x"
  rm -f "$pairs"
fi
