#!/bin/sh
# The `nhigate-binary` pre-commit hook: `nhigate check --staged` run by the
# release binary of this hook's version, installed once into a cache folder
# by scripts/install.sh (which installs only what matches the release's
# SHA-256 checksum). NHIGATE_CACHE replaces the cache folder.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$here/Cargo.toml" | head -n 1)
cache=${NHIGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nhigate}/$version
if [ ! -x "$cache/nhigate" ]; then
  sh "$here/scripts/install.sh" --version "$version" --to "$cache" >&2
fi
exec "$cache/nhigate" check --staged "$@"
