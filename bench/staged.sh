#!/usr/bin/env bash
# The pre-commit path: `nhigate check --staged` for a one-file change in a
# repository of 10,000 files, process start to exit. Target: 20 ms.
#
#     bash bench/staged.sh
#     BASELINE=/tmp/nhigate-old bash bench/staged.sh   # against another build
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -q && apt-get install -y -q hyperfine; }
cargo build --release --quiet
bin=$PWD/target/release/nhigate
repo=${BENCH_WORK:-/tmp/nhigate-bench}/staged-10k
if [ ! -d "$repo/.git" ]; then
  rm -rf "$repo" && mkdir -p "$repo"
  (
    cd "$repo"
    git init -q -b main
    for d in $(seq 0 99); do
      mkdir -p "src/m$d"
      for f in $(seq 0 99); do
        printf 'package m%d\n\nconst Name%d = "module-%d-%d"\n\nfunc F%d() int { return %d }\n' "$d" "$f" "$d" "$f" "$f" "$f" > "src/m$d/f$f.go"
      done
    done
    git add -A && git -c user.name=b -c user.email=b@example.com commit -q -m init
  )
fi
cd "$repo"
printf 'package m7\n\nconst Token = "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"\n' > src/m7/f7.go
git add src/m7/f7.go
echo "repo: $(git ls-files | wc -l) files, one staged change"
hyperfine -N -i --warmup 3 --runs "${RUNS:-30}" "$bin check --staged --now 2025-06-30" \
  ${BASELINE:+"$BASELINE check --staged --now 2025-06-30"}
git reset -q --hard
