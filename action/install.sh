#!/usr/bin/env bash
# Install nhigate for the GitHub Action: keep one already on PATH at the
# asked version, else download the release binary that matches the runner,
# else build this action's own source with `cargo install --locked`.
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

dest="${RUNNER_TEMP:-/tmp}/nhigate-bin"
mkdir -p "$dest"
repo=${NHIGATE_REPOSITORY:-nhigate/nhigate}
if [ -n "$want" ]; then
  url="https://github.com/$repo/releases/download/v$want/nhigate-$target.tar.gz"
else
  url="https://github.com/$repo/releases/latest/download/nhigate-$target.tar.gz"
fi
if [ -n "$target" ] && curl -fsSL --retry 2 "$url" -o "$dest/nhigate.tar.gz" 2>/dev/null; then
  tar -xzf "$dest/nhigate.tar.gz" -C "$dest"
  echo "installed nhigate from $url"
else
  echo "no release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}; building from source"
  command -v cargo >/dev/null 2>&1 || {
    curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    export PATH="$HOME/.cargo/bin:$PATH"
  }
  cargo install --locked --path "${NHIGATE_SOURCE:?}" --root "$dest/.." --quiet
  dest="$dest/../bin"
fi
echo "$dest" >> "${GITHUB_PATH:-/dev/null}"
