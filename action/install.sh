#!/usr/bin/env bash
# Install nhigate for the GitHub Action: keep one already on PATH at the
# asked version, else download the release binary that matches the runner
# and install it only if it matches the release's SHA-256 checksum
# (nhigate-<target>.tar.gz.sha256, in sha256sum's format), else, when the
# release has no binary for the runner, build this action's own source with
# `cargo install --locked`. A missing or mismatching checksum is an error:
# nothing is installed, and nothing is built in its place.
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
repo=${NHIGATE_REPOSITORY:-nhigate/nhigate}
if [ -n "${NHIGATE_RELEASE_URL:-}" ]; then
  release=${NHIGATE_RELEASE_URL%/}
elif [ -n "$want" ]; then
  release="https://github.com/$repo/releases/download/v$want"
else
  release="https://github.com/$repo/releases/latest/download"
fi
asset="nhigate-$target.tar.gz"

# Check "HASH  FILE" lines on stdin against the files in the current folder.
sha256_check() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum -c -
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 -c -
  else
    echo "::error::neither sha256sum nor shasum is installed: cannot verify $asset"
    return 1
  fi
}

download=$(mktemp -d "$temp/nhigate-download.XXXXXX")
trap 'rm -rf "$download"' EXIT

if [ -n "$target" ] && curl -fsSL --retry 2 "$release/$asset" -o "$download/$asset" 2>/dev/null; then
  if ! curl -fsSL --retry 2 "$release/$asset.sha256" -o "$download/$asset.sha256" 2>/dev/null; then
    echo "::error::cannot download $release/$asset.sha256: not installing $asset without its checksum"
    exit 1
  fi
  # The checksum listed for this asset (by file name, with or without a
  # folder or sha256sum's binary-mode `*`).
  expected=$(awk -v name="$asset" '{
      file = $2; sub(/^\*/, "", file); sub(/^.*\//, "", file)
      if (file == name && length($1) == 64 && $1 !~ /[^0-9a-fA-F]/) { print $1; exit }
    }' "$download/$asset.sha256")
  if [ -z "$expected" ]; then
    echo "::error::$release/$asset.sha256 lists no SHA-256 checksum for $asset: not installing it"
    exit 1
  fi
  if ! (cd "$download" && printf '%s  %s\n' "$expected" "$asset" | sha256_check); then
    echo "::error::checksum mismatch: $release/$asset does not match the SHA-256 checksum of the release ($expected); not installing it"
    exit 1
  fi
  mkdir -p "$download/unpacked"
  tar -xzf "$download/$asset" -C "$download/unpacked"
  if [ ! -x "$download/unpacked/nhigate" ]; then
    echo "::error::$asset has no nhigate executable at its top level"
    exit 1
  fi
  mkdir -p "$dest"
  cp -R "$download/unpacked/." "$dest/"
  echo "installed nhigate from $release/$asset (SHA-256 $expected verified)"
else
  echo "no release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?} at $release; building from source"
  command -v cargo >/dev/null 2>&1 || {
    curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    export PATH="$HOME/.cargo/bin:$PATH"
  }
  cargo install --locked --path "${NHIGATE_SOURCE:?}" --root "$temp" --quiet
  dest="$temp/bin"
fi
echo "$dest" >> "${GITHUB_PATH:-/dev/null}"
