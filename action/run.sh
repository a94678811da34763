#!/usr/bin/env bash
# The action's check, run once: on a pull request, what the branch adds
# since its base (`check --base`); on a push, the pushed commits (`check
# --base <before> --head <after>`), or the whole tree when there is no
# earlier commit to start from; on any other event, the whole tree. One run
# prints annotations (workflow commands) on stdout, appends the job summary
# to $GITHUB_STEP_SUMMARY and writes SARIF for code scanning; it exits by
# the threshold (0 clean, 1 findings, 2 error).
#
# Inputs come only through the environment (action.yml never interpolates
# them into this script): NHIGATE_PATH, NHIGATE_RULES, NHIGATE_SEVERITY,
# NHIGATE_CONFIG, NHIGATE_BASE_SHA and NHIGATE_HEAD_SHA (pull requests),
# NHIGATE_PUSH_BEFORE and NHIGATE_PUSH_AFTER (pushes),
# NHIGATE_ALLOW_PULL_REQUEST_TARGET, and the runner's GITHUB_EVENT_NAME.
set -uo pipefail

path=${NHIGATE_PATH:-.}
args=()
for pack in ${NHIGATE_RULES:-}; do args+=(--rules "$pack"); done
[ -n "${NHIGATE_SEVERITY:-}" ] && args+=(--severity "$NHIGATE_SEVERITY")
[ -n "${NHIGATE_CONFIG:-}" ] && args+=(--config "$NHIGATE_CONFIG")

# A sha as git prints it; anything else from the event is not used.
is_sha() { [[ "$1" =~ ^[0-9a-fA-F]{40}([0-9a-fA-F]{24})?$ ]]; }
is_zero() { [[ "$1" =~ ^0+$ ]]; }

# Make COMMIT present, fetching it from origin when the checkout lacks it.
have_commit() {
  git -C "$path" cat-file -e "$1^{commit}" 2>/dev/null ||
    { git -C "$path" fetch --no-tags --quiet origin "$1" 2>/dev/null &&
      git -C "$path" cat-file -e "$1^{commit}" 2>/dev/null; }
}

# A shallow checkout cuts history at its boundary commits, and a boundary
# inside BASE..HEAD hides the commits behind it: deepen until none is left.
shallow_inside() {
  local shallow
  shallow=$(git -C "$path" rev-parse --path-format=absolute --git-path shallow 2>/dev/null) || return 1
  [ -s "$shallow" ] || return 1
  git -C "$path" rev-list "$2" "^$1" -- 2>/dev/null | grep -qxFf "$shallow"
}
deepen() {
  local depth
  for depth in 50 500 5000; do
    shallow_inside "$1" "$2" || return 0
    git -C "$path" fetch --no-tags --quiet --deepen="$depth" origin "$2" 2>/dev/null || break
  done
  shallow_inside "$1" "$2" || return 0
  git -C "$path" fetch --no-tags --quiet --unshallow origin 2>/dev/null
  if shallow_inside "$1" "$2"; then
    echo "::warning::the checkout is shallow and its history could not be deepened; commits between $1 and $2 may be missed (check out with fetch-depth: 0)"
  fi
}

case "${GITHUB_EVENT_NAME:-}" in
  pull_request_target)
    if [ "${NHIGATE_ALLOW_PULL_REQUEST_TARGET:-false}" != "true" ]; then
      echo "::error title=nhigate refuses pull_request_target::pull_request_target runs with the base repository's secrets and a write token, and checking out or running the pull request's code there is how repositories are compromised. nhigate only reads files, but the workflow around it may not. Opt in with the input allow-pull-request-target: \"true\" only if the workflow checks out the pull request's head with persist-credentials: false and runs nothing from it; otherwise use the pull_request event."
      exit 2
    fi
    ;;
esac

case "${GITHUB_EVENT_NAME:-}" in
  pull_request | pull_request_target)
    base=${NHIGATE_BASE_SHA:-}
    head=${NHIGATE_HEAD_SHA:-HEAD}
    if [ -z "$base" ]; then
      echo "::error::no pull request base commit in the event"
      exit 2
    fi
    # A shallow checkout may not have the base, or the head: fetch them.
    have_commit "$base" ||
      { echo "::error::cannot fetch the base commit $base; check out with fetch-depth: 0"; exit 2; }
    have_commit "$head" ||
      { echo "::error::cannot fetch the head commit $head; check out with fetch-depth: 0"; exit 2; }
    deepen "$base" "$head"
    args+=(--base "$base" --head "$head")
    ;;
  push)
    before=${NHIGATE_PUSH_BEFORE:-}
    after=${NHIGATE_PUSH_AFTER:-}
    if [ -z "$after" ] || is_zero "$after"; then after=${GITHUB_SHA:-HEAD}; fi
    if [ -z "$before" ] || is_zero "$before"; then
      echo "::notice title=nhigate::a new branch or tag (no commit before the push): checking the whole tree"
    elif ! is_sha "$before"; then
      echo "::notice title=nhigate::the push has no usable commit before it: checking the whole tree"
    elif ! have_commit "$before"; then
      echo "::notice title=nhigate::the commit before the push, $before, is not in the checkout and cannot be fetched (force-pushed away?): checking the whole tree"
    elif ! have_commit "$after"; then
      echo "::notice title=nhigate::the pushed commit $after is not in the checkout and cannot be fetched: checking the whole tree"
    else
      deepen "$before" "$after"
      args+=(--base "$before" --head "$after")
    fi
    ;;
esac

sarif="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/nhigate.sarif"
# One run: annotations on stdout, the job summary to $GITHUB_STEP_SUMMARY
# (nhigate appends it itself with --format github), SARIF to $sarif. The
# array is spelled so that bash 3.2 (macOS) accepts it empty under set -u.
nhigate check "$path" ${args[@]+"${args[@]}"} --format github --sarif "$sarif"
status=$?
if [ "$status" -ge 2 ]; then
  exit "$status"
fi
echo "sarif=$sarif" >> "${GITHUB_OUTPUT:-/dev/null}"
exit "$status"
