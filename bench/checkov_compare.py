#!/usr/bin/env python3
"""Side by side with Checkov on the NHI checks both tools have.

    python3 bench/checkov_compare.py DIR [--checkov PATH] [--nhigate PATH]

Runs Checkov (pip install checkov) and `nhigate check --format json` on DIR.
For every failed Checkov check in the NHI set below, it looks for an nhigate
finding in the same file on a line within the check's range (+-2 lines), and
prints per check: how many Checkov reported and how many of those nhigate
also reports, then the nhigate findings Checkov has no counterpart for.
"""
import argparse
import collections
import json
import os
import subprocess
import sys

# Checkov checks about non-human identities: IAM wildcards and escalation,
# keys, service accounts, RBAC, workflow tokens.
NHI_CHECKS = {
    "CKV_AWS_1", "CKV_AWS_40", "CKV_AWS_60", "CKV_AWS_61", "CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_107",
    "CKV_AWS_108", "CKV_AWS_109", "CKV_AWS_110", "CKV_AWS_111", "CKV_AWS_273", "CKV_AWS_274", "CKV_AWS_286",
    "CKV_AWS_287", "CKV_AWS_288", "CKV_AWS_289", "CKV_AWS_290", "CKV_AWS_304", "CKV_AWS_355", "CKV_AWS_356",
    "CKV_AWS_393", "CKV2_AWS_22", "CKV2_AWS_40", "CKV2_AWS_56",
    "CKV_GCP_28", "CKV_GCP_41", "CKV_GCP_42", "CKV_GCP_44", "CKV_GCP_45", "CKV_GCP_46", "CKV_GCP_49",
    "CKV_GCP_113", "CKV_GCP_116", "CKV_GCP_117",
    "CKV_K8S_38", "CKV_K8S_41", "CKV_K8S_42", "CKV_K8S_49", "CKV_K8S_155", "CKV_K8S_156", "CKV_K8S_157",
    "CKV_K8S_158", "CKV2_GHA_1",
}


def checkov(checkov_bin, root):
    out = subprocess.run([checkov_bin, "-d", root, "--quiet", "--compact", "-o", "json"],
                         capture_output=True, text=True).stdout
    runs = json.loads(out or "[]")
    if isinstance(runs, dict):
        runs = [runs]
    for r in runs:
        for f in r.get("results", {}).get("failed_checks", []):
            if f["check_id"] in NHI_CHECKS:
                path = f["file_path"].lstrip("/")
                lo, hi = f["file_line_range"]
                yield f["check_id"], path, max(lo, 1), max(hi, 1)


def nhigate(nhigate_bin, root):
    o = subprocess.run([nhigate_bin, "check", root, "--now", "2025-06-30", "--format", "json"],
                       capture_output=True, text=True)
    report = json.loads(o.stdout)
    return [(f["rule_id"], f["path"], f["line"]) for f in report["findings"] if f["kind"] == "policy"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--checkov", default="checkov")
    ap.add_argument("--nhigate", default="target/release/nhigate")
    a = ap.parse_args()
    root = os.path.abspath(a.dir)
    ours = nhigate(a.nhigate, root)
    theirs = list(checkov(a.checkov, root))
    per = collections.defaultdict(lambda: [0, 0, []])
    matched = set()
    for check, path, lo, hi in theirs:
        # Checkov's paths are relative to the folder it was given, or to the
        # folder above for some frameworks: compare by suffix.
        hits = [i for i, (_, p, line) in enumerate(ours)
                if (path.endswith(p) or p.endswith(path)) and lo - 2 <= line <= hi + 2]
        per[check][0] += 1
        if hits:
            per[check][1] += 1
            matched.update(hits)
            per[check][2].append(sorted({ours[i][0] for i in hits}))
        else:
            per[check][2].append(f"MISSED {path}:{lo}-{hi}")
    print(f"{'check':14} {'checkov':>7} {'nhigate too':>11}  nhigate rules")
    for check in sorted(per):
        n, m, rules = per[check]
        names = sorted({r for x in rules if isinstance(x, list) for r in x})
        missed = [x for x in rules if isinstance(x, str)]
        print(f"{check:14} {n:7} {m:11}  {', '.join(names)} {' '.join(missed)}")
    total = sum(v[0] for v in per.values())
    both = sum(v[1] for v in per.values())
    print(f"\nCheckov NHI findings: {total}; found by nhigate too: {both}")
    only = [f for i, f in enumerate(ours) if i not in matched]
    print(f"nhigate policy findings: {len(ours)}; with no Checkov counterpart: {len(only)}")
    for rule, path, line in only:
        print(f"  {rule} {path}:{line}")


if __name__ == "__main__":
    sys.exit(main())
