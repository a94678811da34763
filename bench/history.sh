#!/usr/bin/env bash
# A whole-history scan of one repository: nhigate and, where installed,
# gitleaks and Kingfisher (e.g. from ../shared/peers/install.sh), each run
# RUNS times (default 2) with the page cache warm; wall time and peak RSS of
# each run. Fetches nothing.
#
#     bash bench/history.sh PATH-TO-REPOSITORY
#     BASELINE=/tmp/nhigate-old bash bench/history.sh REPO   # and another build
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(realpath "${1:?usage: bench/history.sh PATH-TO-REPOSITORY}")
[ -x /usr/bin/time ] || { apt-get update -q && apt-get install -y -q time; }
cargo build --release --quiet
bin=$PWD/target/release/nhigate
echo "repository: $repo, $(git -C "$repo" rev-list --all | wc -l) commits, $(git -C "$repo" count-objects -vH | grep size-pack)"
git -C "$repo" cat-file --batch-all-objects --batch-check > /dev/null # warm the pack
out=$(mktemp -d)
measure() {
  local name=$1; shift
  for i in $(seq "${RUNS:-2}"); do
    /usr/bin/time -q -o "$out/time" -f "%e s wall, %M KiB peak RSS" "$@" > "$out/$name.out" 2>&1 || true
    echo "$name: $(cat "$out/time")"
  done
}
measure nhigate "$bin" check --history "$repo" --now 2025-06-30 --format json --output "$out/nhigate.json"
[ -n "${BASELINE:-}" ] && measure baseline "$BASELINE" check --history "$repo" --now 2025-06-30 --format json --output "$out/baseline.json"
command -v gitleaks > /dev/null && measure gitleaks gitleaks git "$repo" --no-banner --report-path "$out/gitleaks.json" --exit-code 0
command -v kingfisher > /dev/null && measure kingfisher kingfisher scan "$repo" --git-history full --no-validate --no-update-check --format json --output "$out/kingfisher.json"
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
def count(name, key=None):
    p = os.path.join(out, name)
    if not os.path.exists(p):
        return None
    try:
        d = json.load(open(p))
    except Exception:
        return "unreadable"
    return len(d[key]) if key else len(d)
print("findings: nhigate", count("nhigate.json", "findings"), "| gitleaks", count("gitleaks.json"))
PY
rm -rf "$out"
