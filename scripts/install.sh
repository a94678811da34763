#!/bin/sh
# Install an nhigate release binary, verified: download
# nhigate-<target>.tar.gz and its nhigate-<target>.tar.gz.sha256 from the
# release, and install the binary only if the archive matches the SHA-256
# checksum. A missing or mismatching checksum installs nothing.
#
#   sh install.sh [--version 0.1.0] [--to ~/.local/bin] [--target x86_64-unknown-linux-musl]
#
# Without --version, the latest release. The target defaults to this
# machine's: Linux gets the static musl build. NHIGATE_RELEASE_URL replaces
# the folder the assets come from (a mirror, or a file:// folder).
#
# Exit status: 0 installed, 1 an error (nothing installed), 3 the release
# has no binary for the target (the GitHub Action then builds from source).
set -eu

version=""
to="${HOME:-.}/.local/bin"
target=""
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version=${2#v}; shift 2 ;;
    --to) to=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    *) echo "usage: install.sh [--version X.Y.Z] [--to DIR] [--target TRIPLE]" >&2; exit 1 ;;
  esac
done

# In a GitHub Actions step errors are annotations.
error() {
  if [ "${GITHUB_ACTIONS:-}" = "true" ]; then echo "::error::$*"; else echo "error: $*" >&2; fi
}

if [ -z "$target" ]; then
  case "$(uname -s)/$(uname -m)" in
    Linux/x86_64 | Linux/amd64) target=x86_64-unknown-linux-musl ;;
    Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
    Darwin/arm64) target=aarch64-apple-darwin ;;
    Darwin/x86_64) target=x86_64-apple-darwin ;;
    *) error "no release binary for $(uname -s)/$(uname -m); build from source: cargo install --locked --git https://github.com/nhigate/nhigate"; exit 3 ;;
  esac
fi

repo=${NHIGATE_REPOSITORY:-nhigate/nhigate}
if [ -n "${NHIGATE_RELEASE_URL:-}" ]; then
  release=${NHIGATE_RELEASE_URL%/}
elif [ -n "$version" ]; then
  release="https://github.com/$repo/releases/download/v$version"
else
  release="https://github.com/$repo/releases/latest/download"
fi
asset="nhigate-$target.tar.gz"

# Check "HASH  FILE" lines on stdin against the files in the current folder.
sha256_check() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum -c - >/dev/null
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 -c - >/dev/null
  else
    error "neither sha256sum nor shasum is installed: cannot verify $asset"
    return 1
  fi
}

download=$(mktemp -d "${TMPDIR:-/tmp}/nhigate-download.XXXXXX")
trap 'rm -rf "$download"' EXIT

if ! curl -fsSL --retry 2 "$release/$asset" -o "$download/$asset" 2>/dev/null; then
  echo "no release binary $asset at $release"
  exit 3
fi
if ! curl -fsSL --retry 2 "$release/$asset.sha256" -o "$download/$asset.sha256" 2>/dev/null; then
  error "cannot download $release/$asset.sha256: not installing $asset without its checksum"
  exit 1
fi
# The checksum listed for this asset (by file name, with or without a
# folder or sha256sum's binary-mode `*`).
expected=$(awk -v name="$asset" '{
    file = $2; sub(/^\*/, "", file); sub(/^.*\//, "", file)
    if (file == name && length($1) == 64 && $1 !~ /[^0-9a-fA-F]/) { print $1; exit }
  }' "$download/$asset.sha256")
if [ -z "$expected" ]; then
  error "$release/$asset.sha256 lists no SHA-256 checksum for $asset: not installing it"
  exit 1
fi
if ! (cd "$download" && printf '%s  %s\n' "$expected" "$asset" | sha256_check); then
  error "checksum mismatch: $release/$asset does not match the SHA-256 checksum of the release ($expected); not installing it"
  exit 1
fi
mkdir -p "$download/unpacked"
tar -xzf "$download/$asset" -C "$download/unpacked"
if [ ! -x "$download/unpacked/nhigate" ]; then
  error "$asset has no nhigate executable at its top level"
  exit 1
fi
mkdir -p "$to"
cp "$download/unpacked/nhigate" "$to/nhigate"
echo "installed nhigate from $release/$asset (SHA-256 $expected verified) to $to"
