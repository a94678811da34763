#!/usr/bin/env bash
# Field evaluation: run `nhigate check` over real checkouts and summarise.
#
#     BIN=path/to/nhigate bash bench/field.sh OUTDIR CHECKOUT...
#
# For each checkout writes OUTDIR/<basename>.json (the JSON report, clock fixed
# at 2026-11-30), then prints one row per repo: secret findings by rule id,
# policy findings by rule id, wall time. Also writes OUTDIR/findings.tsv, one
# line per finding: repo, kind, rule_id, severity, confidence (or -), path,
# line, fingerprint, message. Low-confidence secrets are requested (so that
# the TSV shows what the default hides) but not counted in the table. Exit 1 from nhigate (findings fail the gate) is
# expected; only exit 2 (an error) is reported.
set -uo pipefail
: "${BIN:?set BIN to the nhigate binary}"
[ $# -ge 2 ] || { echo "usage: BIN=... $0 OUTDIR CHECKOUT..." >&2; exit 2; }
out=$1; shift
mkdir -p "$out"
extra=()
"$BIN" check --help | grep -q -- '--confidence' && extra+=(--confidence low)
: > "$out/times.tsv"
for repo in "$@"; do
  name=$(basename "$repo")
  t0=$(date +%s.%N)
  "$BIN" check "$repo" --format json --output "$out/$name.json" --now 2026-11-30 "${extra[@]}" \
    2> "$out/$name.stderr"
  rc=$?
  t1=$(date +%s.%N)
  [ "$rc" -ge 2 ] && echo "ERROR: $name exited $rc (see $out/$name.stderr)" >&2
  printf '%s\t%.2f\t%s\n' "$name" "$(awk "BEGIN{print $t1 - $t0}")" "$rc" >> "$out/times.tsv"
done
python3 - "$out" <<'EOF'
import collections, json, os, sys
out = sys.argv[1]
tsv = open(os.path.join(out, "findings.tsv"), "w")
tsv.write("repo\tkind\trule_id\tseverity\tconfidence\tpath\tline\tfingerprint\tmessage\n")
clean = lambda s: str(s).replace("\t", " ").replace("\r", " ").replace("\n", " ")
print(f"{'repo':42} {'secrets':>7} {'policy':>6} {'time_s':>7}  by rule")
for line in open(os.path.join(out, "times.tsv")):
    name, secs, rc = line.rstrip("\n").split("\t")
    try:
        findings = json.load(open(os.path.join(out, name + ".json")))["findings"]
    except (OSError, ValueError):
        print(f"{name:42} {'-':>7} {'-':>6} {secs:>7}  (no report, rc={rc})"); continue
    by = {"secret": collections.Counter(), "policy": collections.Counter()}
    for f in findings:
        loc = f.get("location", f)
        # Low-confidence secrets are written to the TSV but not counted:
        # the default check does not report them.
        if (f.get("secret") or {}).get("confidence") != "low":
            by.setdefault(f["kind"], collections.Counter())[f["rule_id"]] += 1
        confidence = (f.get("secret") or {}).get("confidence", "-")
        tsv.write("\t".join(clean(x) for x in (name, f["kind"], f["rule_id"], f.get("severity", "-"),
                  confidence, loc.get("path", "-"), loc.get("line", "-"),
                  f.get("fingerprint", "-"), f.get("message", ""))) + "\n")
    fmt = lambda c: " ".join(f"{k}={v}" for k, v in c.most_common()) or "-"
    print(f"{name:42} {sum(by['secret'].values()):>7} {sum(by['policy'].values()):>6} {secs:>7}")
    print(f"{'':42}   secret: {fmt(by['secret'])}")
    print(f"{'':42}   policy: {fmt(by['policy'])}")
EOF
