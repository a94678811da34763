#!/usr/bin/env bash
# Install nhigate for the GitHub Action: keep one already on PATH at the
# asked version, else install the release binary that matches the runner
# with scripts/install.sh, which installs it only if it matches the
# release's SHA-256 checksum (nhigate-<target>.tar.gz.sha256, in
# sha256sum's format), else, when the release has no binary for the
# runner, build this action's own source with `cargo install --locked`. A
# missing or mismatching checksum is an error: nothing is installed, and
# nothing is built in its place.
#
# NHIGATE_RELEASE_URL replaces the folder the release assets are downloaded
# from (a mirror; a local server or a file:// folder in tests).
set -euo pipefail

want=${NHIGATE_VERSION:-}
if command -v nhigate >/dev/null 2>&1; then
  have=$(nhigate --version | awk '{print $2}')
  if [ -z "$want" ] || [ "$want" = "$have" ]; then
    echo "nhigate $have is already installed"
    exit 0
  fi
fi

case "${RUNNER_OS:-Linux}/${RUNNER_ARCH:-X64}" in
  Linux/X64) target=x86_64-unknown-linux-gnu ;;
  Linux/ARM64) target=aarch64-unknown-linux-gnu ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  *) target="" ;;
esac

temp=${RUNNER_TEMP:-/tmp}
dest="$temp/nhigate-bin"
status=0
if [ -n "$target" ]; then
  bash "$(dirname "$0")/../scripts/install.sh" --target "$target" --to "$dest" ${want:+--version "$want"} || status=$?
else
  status=3
fi
case "$status" in
  0) ;;
  3)
    echo "no release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}; building from source"
    command -v cargo >/dev/null 2>&1 || {
      curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
      export PATH="$HOME/.cargo/bin:$PATH"
    }
    cargo install --locked --path "${NHIGATE_SOURCE:?}" --root "$temp" --quiet
    dest="$temp/bin"
    ;;
  *) exit "$status" ;;
esac
echo "$dest" >> "${GITHUB_PATH:-/dev/null}"
