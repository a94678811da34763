#!/usr/bin/env python3
"""Run the official YAML test suite through nhigate's YAML parser, black-box.

nhigate parses a `.yaml` file as YAML when it lies under `.github/workflows/`,
and reports a file it cannot parse under `skipped` in its JSON report with the
reason "not valid YAML (line L, column C: message)". So this script:

1. extracts the suite's `data` branch (one folder per case, some with
   sub-folders 00, 01, ...) from a git mirror of yaml/yaml-test-suite;
2. writes every valid case (no `error` file) to
   <work>/valid/.github/workflows/<ID>.yaml and every invalid case to
   <work>/invalid/.github/workflows/<ID>.yaml, plus a deliberately broken
   sentinel file in each tree (the run is refused if the sentinel is not
   reported, so a silent pass cannot happen);
3. runs `nhigate check <tree> --format json --output <json>` on each tree;
4. prints: valid cases parsed / failed (ID, title, tags, nhigate's message),
   and invalid cases that nhigate accepted.

Usage:
  python3 bench/yaml_suite.py --mirror /work/.mirror/yaml+yaml-test-suite/repo \
      --binary target/release/nhigate [--work /tmp/yaml-suite/run] [--ref data]
      [--json results.json]

Stdlib only. Exit status 0 when the harness ran (whatever the figures), 2 when
it could not run or the sentinel was not reported.
"""

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile

SENTINEL = "zz-sentinel-broken"
SENTINEL_TEXT = "a: [\n"  # an unclosed flow sequence: must be refused
PREFIX = "not valid YAML"


def extract(mirror, ref, dest):
    """Extract `ref` of the bare mirror into dest (fresh)."""
    if os.path.exists(dest):
        shutil.rmtree(dest)
    os.makedirs(dest)
    archive = subprocess.run(
        ["git", "--git-dir", mirror, "archive", "--format=tar", ref],
        check=True, stdout=subprocess.PIPE,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest)
    commit = subprocess.run(
        ["git", "--git-dir", mirror, "rev-parse", ref],
        check=True, stdout=subprocess.PIPE, text=True,
    ).stdout.strip()
    return commit


def read(path, default=""):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return default


def cases(data):
    """Yield (id, folder) for every case: ID, or ID-NN for sub-folders."""
    for name in sorted(os.listdir(data)):
        folder = os.path.join(data, name)
        if name in ("name", "tags") or not os.path.isdir(folder) or os.path.islink(folder):
            continue
        if os.path.exists(os.path.join(folder, "in.yaml")):
            yield name, folder
        for sub in sorted(os.listdir(folder)):
            sf = os.path.join(folder, sub)
            if os.path.isdir(sf) and os.path.exists(os.path.join(sf, "in.yaml")):
                yield f"{name}-{sub}", sf


def tags_of(data):
    """Case ID -> sorted tags, from the data branch's tags/<tag>/<ID>[/NN]."""
    out = {}
    root = os.path.join(data, "tags")
    if not os.path.isdir(root):
        return out
    for tag in os.listdir(root):
        for entry in os.listdir(os.path.join(root, tag)):
            p = os.path.join(root, tag, entry)
            if os.path.isdir(p) and not os.path.islink(p):
                ids = [f"{entry}-{s}" for s in os.listdir(p)]
            else:
                ids = [entry]
            for i in ids:
                out.setdefault(i, set()).add(tag)
    return {k: sorted(v) for k, v in out.items()}


def write_tree(root, items):
    if os.path.exists(root):
        shutil.rmtree(root)
    wf = os.path.join(root, ".github", "workflows")
    os.makedirs(wf)
    for cid, folder in items:
        shutil.copyfile(os.path.join(folder, "in.yaml"), os.path.join(wf, f"{cid}.yaml"))
    with open(os.path.join(wf, f"{SENTINEL}.yaml"), "w") as f:
        f.write(SENTINEL_TEXT)


def run_nhigate(binary, tree, out_json):
    """Run nhigate on a tree; return (report, stderr). Raise on a broken run."""
    if os.path.exists(out_json):
        os.remove(out_json)
    proc = subprocess.run(
        [binary, "check", tree, "--format", "json", "--output", out_json],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    if not os.path.exists(out_json):
        raise RuntimeError(f"nhigate exited {proc.returncode} with no report:\n{proc.stderr[-4000:]}")
    with open(out_json) as f:
        return json.load(f), proc.stderr, proc.returncode


def problems(binary, tree, out_json, n_files):
    """Path stem -> skip reason for files nhigate could not parse as YAML."""
    report, stderr, rc = run_nhigate(binary, tree, out_json)
    failed = {}
    other = {}
    for s in report.get("skipped", []):
        stem = os.path.basename(s.get("path", ""))
        stem = stem[:-5] if stem.endswith(".yaml") else stem
        reason = s.get("reason", "")
        (failed if reason.startswith(PREFIX) else other)[stem] = reason
    if SENTINEL not in failed:
        raise RuntimeError(f"the broken sentinel file was not reported: the harness cannot see failures\n{stderr}")
    del failed[SENTINEL]
    scanned = report.get("stats", {}).get("files_scanned")
    return failed, other, scanned, stderr, rc


def message(reason):
    """'not valid YAML (line 2, column 1: msg); no facts read' -> 'line 2, column 1: msg'."""
    r = reason
    if r.startswith(PREFIX + " ("):
        r = r[len(PREFIX) + 2:]
        end = r.rfind(")")
        if end >= 0:
            r = r[:end]
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mirror", default="/work/.mirror/yaml+yaml-test-suite/repo")
    ap.add_argument("--binary", required=True)
    ap.add_argument("--work", default="/tmp/yaml-suite/run")
    ap.add_argument("--ref", default="refs/heads/data")
    ap.add_argument("--json", help="also write the per-case results to this file")
    args = ap.parse_args()

    binary = os.path.abspath(args.binary)
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    data = os.path.join(work, "data")
    try:
        commit = extract(args.mirror, args.ref, data)
    except (subprocess.CalledProcessError, OSError, tarfile.TarError) as e:
        print(f"cannot extract {args.ref} from {args.mirror}: {e}", file=sys.stderr)
        return 2
    tags = tags_of(data)
    all_cases = list(cases(data))
    valid = [(c, f) for c, f in all_cases if not os.path.exists(os.path.join(f, "error"))]
    invalid = [(c, f) for c, f in all_cases if os.path.exists(os.path.join(f, "error"))]
    title = {c: read(os.path.join(f, "===")).strip() for c, f in all_cases}

    results = {"suite_commit": commit, "binary": binary}
    print(f"yaml-test-suite {args.ref} @ {commit[:12]}: {len(all_cases)} cases "
          f"({len(valid)} valid, {len(invalid)} invalid)")
    print(f"nhigate: {binary}")
    for kind, items in (("valid", valid), ("invalid", invalid)):
        tree = os.path.join(work, kind)
        write_tree(tree, items)
        try:
            failed, other, scanned, stderr, rc = problems(binary, tree, os.path.join(work, f"{kind}.json"), len(items) + 1)
        except (RuntimeError, OSError, ValueError) as e:
            print(f"{kind}: harness failed: {e}", file=sys.stderr)
            return 2
        ids = [c for c, _ in items]
        rejected = [c for c in ids if c in failed]
        accepted = [c for c in ids if c not in failed]
        print()
        if scanned is not None and scanned != len(items) + 1:
            print(f"  note: nhigate scanned {scanned} of {len(items) + 1} files (rc {rc})")
        for c, reason in sorted(other.items()):
            print(f"  note: {c} skipped for another reason: {reason}")
        if kind == "valid":
            print(f"VALID cases: {len(ids)} total, {len(accepted)} parsed, {len(rejected)} failed")
            for c in rejected:
                print(f"  FAIL {c:8} {title[c]}  [{' '.join(tags.get(c, []))}]")
                print(f"       {message(failed[c])}")
            by_tag = {}
            for c in ids:
                for t in tags.get(c, ["(untagged)"]):
                    n, ok = by_tag.get(t, (0, 0))
                    by_tag[t] = (n + 1, ok + (c not in failed))
            print("  by suite tag (parsed/total): " + ", ".join(
                f"{t} {ok}/{n}" for t, (n, ok) in sorted(by_tag.items(), key=lambda x: (-x[1][0], x[0]))))
        else:
            print(f"INVALID cases: {len(ids)} total, {len(rejected)} rejected, {len(accepted)} accepted (should be rejected)")
            for c in accepted:
                print(f"  ACCEPTED {c:8} {title[c]}  [{' '.join(tags.get(c, []))}]")
        results[kind] = {
            c: {"title": title[c], "tags": tags.get(c, []), "parsed": c not in failed,
                "message": message(failed[c]) if c in failed else None}
            for c in ids
        }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
