#!/usr/bin/env bash
# The action's check: on a pull request, what the branch adds since its
# base (`check --base`); on a push, the whole tree. Writes SARIF for code
# scanning, annotations and the job summary for the run, and exits by the
# threshold (0 clean, 1 findings, 2 error).
set -uo pipefail

path=${NHIGATE_PATH:-.}
args=()
for pack in ${NHIGATE_RULES:-}; do args+=(--rules "$pack"); done
[ -n "${NHIGATE_SEVERITY:-}" ] && args+=(--severity "$NHIGATE_SEVERITY")
[ -n "${NHIGATE_CONFIG:-}" ] && args+=(--config "$NHIGATE_CONFIG")

case "${GITHUB_EVENT_NAME:-}" in
  pull_request | pull_request_target)
    base=${NHIGATE_BASE_SHA:-}
    if [ -z "$base" ]; then
      echo "::error::no pull request base commit in the event"
      exit 2
    fi
    # A shallow checkout may not have the base: fetch it.
    git -C "$path" cat-file -e "$base^{commit}" 2>/dev/null ||
      git -C "$path" fetch --no-tags --quiet origin "$base" ||
      { echo "::error::cannot fetch the base commit $base; check out with fetch-depth: 0"; exit 2; }
    args+=(--base "$base" --head "${NHIGATE_HEAD_SHA:-HEAD}")
    ;;
esac

sarif="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/nhigate.sarif"
nhigate check "$path" "${args[@]}" --format sarif --output "$sarif"
status=$?
if [ "$status" -ge 2 ]; then
  exit "$status"
fi
echo "sarif=$sarif" >> "${GITHUB_OUTPUT:-/dev/null}"
# Annotations on stdout, the job summary to $GITHUB_STEP_SUMMARY.
nhigate check "$path" "${args[@]}" --format github 2>/dev/null
exit $?
