#!/usr/bin/env bash
# Speed and memory of a full scan of the Linux 6.1 source tree, against
# `rg -c AKIA` over the same tree (the issue's yardstick: within 3x).
#
#     bash bench/linux.sh            # both, page cache warm, 2 runs each
#     THREADS="1 2 16" bash bench/linux.sh   # scaling
#     BASELINE=/tmp/nhigate-old bash bench/linux.sh   # against another build
#     PROGRESS=1 bash bench/linux.sh # also on a pseudo-terminal, progress line drawn
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
hyperfine -i --warmup 1 --runs "${RUNS:-3}" \
  "rg -c AKIA $tree" \
  "$bin check $tree --now 2025-06-30 --format json --output /dev/null" \
  ${BASELINE:+"$BASELINE check $tree --now 2025-06-30 --format json --output /dev/null"} \
  ${PROGRESS:+"script -qec 'env -u CI $bin check $tree --now 2025-06-30 --format json --output /dev/null' /dev/null"} || true
for j in ${THREADS:-1 2}; do
  /usr/bin/time -o /tmp/nhigate-time -f "nhigate -j$j: %e s wall, %M KiB peak RSS" \
    $bin check "$tree" --now 2025-06-30 --format json --output /dev/null -j "$j" 2>/dev/null || true
  cat /tmp/nhigate-time
done
