#!/usr/bin/env bash
# Package a release build for one target into dist/: the archive
# nhigate-<target>.tar.gz (.zip for Windows) with the binary, its shell
# completions, its manual page and the README, and beside it
# nhigate-<target>.<ext>.sha256 in sha256sum's format, which
# scripts/install.sh and the GitHub Action verify before installing.
#
#   bash scripts/package.sh x86_64-unknown-linux-musl
#   BIN=target/release/nhigate bash scripts/package.sh x86_64-unknown-linux-gnu
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: package.sh TARGET}
exe=""
case "$target" in *windows*) exe=.exe ;; esac
bin=${BIN:-target/$target/release/nhigate$exe}
out=${DIST:-dist}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

cp "$bin" "$stage/nhigate$exe"
cp README.md "$stage/"
mkdir -p "$stage/completions"
for shell in bash zsh fish powershell elvish; do
  "$bin" completions "$shell" > "$stage/completions/nhigate.$shell"
done
"$bin" man > "$stage/nhigate.1"

mkdir -p "$out"
if [ -n "$exe" ]; then
  asset="nhigate-$target.zip"
  (cd "$stage" && 7z a -tzip -bd "$OLDPWD/$out/$asset" . > /dev/null)
else
  asset="nhigate-$target.tar.gz"
  tar -czf "$out/$asset" -C "$stage" .
fi
if command -v sha256sum > /dev/null 2>&1; then
  (cd "$out" && sha256sum "$asset" > "$asset.sha256")
else
  (cd "$out" && shasum -a 256 "$asset" > "$asset.sha256")
fi
cat "$out/$asset.sha256"
