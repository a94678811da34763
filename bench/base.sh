#!/usr/bin/env bash
# The pre-merge path: `nhigate check --base` over a 50-commit range of a
# mid-size repository (3,000 files of code, YAML and Terraform; each commit
# changes four files), process start to exit. Target: 1 s.
#
#     bash bench/base.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -q && apt-get install -y -q hyperfine; }
cargo build --release --quiet
bin=$PWD/target/release/nhigate
repo=${BENCH_WORK:-/tmp/nhigate-bench}/base-50
if [ ! -d "$repo/.git" ]; then
  rm -rf "$repo" && mkdir -p "$repo"
  (
    cd "$repo"
    git init -q -b main
    export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=b GIT_COMMITTER_EMAIL=b@example.com
    for d in $(seq 0 29); do
      mkdir -p "svc$d/src" "svc$d/deploy" "svc$d/infra"
      for f in $(seq 0 79); do
        printf 'import os\n\nNAME = "svc-%d-%d"\nURL = os.environ["URL_%d"]\n\ndef handler(event):\n    return {"status": %d}\n' "$d" "$f" "$f" "$f" > "svc$d/src/m$f.py"
      done
      for f in $(seq 0 9); do
        printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc%d-%d\nspec:\n  template:\n    spec:\n      serviceAccountName: svc%d\n      automountServiceAccountToken: false\n      containers:\n        - name: app\n          image: ghcr.io/acme/svc%d:1.0.%d\n' "$d" "$f" "$d" "$d" "$f" > "svc$d/deploy/d$f.yaml"
        printf 'resource "aws_iam_role" "r%d" {\n  name = "svc%d-%d"\n  tags = { owner = "team-%d" }\n}\n' "$f" "$d" "$f" "$d" > "svc$d/infra/r$f.tf"
      done
    done
    git add -A && git commit -q -m base
    for c in $(seq 1 50); do
      d=$((c % 30))
      printf '\nEXTRA_%d = "value-%d"\n' "$c" "$c" >> "svc$d/src/m$((c % 80)).py"
      printf '\n# change %d\n' "$c" >> "svc$d/deploy/d$((c % 10)).yaml"
      printf '\n# change %d\n' "$c" >> "svc$d/infra/r$((c % 10)).tf"
      printf 'def f%d():\n    return %d\n' "$c" "$c" > "svc$d/src/new$c.py"
      git add -A && git commit -q -m "change $c"
    done
  )
fi
cd "$repo"
echo "repo: $(git ls-files | wc -l) files; range HEAD~50..HEAD: $(git rev-list --count HEAD~50..HEAD) commits"
hyperfine -N -i --warmup 2 --runs "${RUNS:-20}" "$bin check --base HEAD~50 --now 2025-06-30"
