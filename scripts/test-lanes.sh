#!/usr/bin/env bash
# Run the suite once per promtool ("lane") for `make test` and its variants.
#
# Usage: scripts/test-lanes.sh LANE... [-- PYTEST_ARG...]
#   LANE is PROMTOOL_PATH or PROMTOOL_PATH:MARK_EXPRESSION, e.g.
#   .tools/promtool-2/promtool:'not slow'  runs that lane with -m 'not slow'.
#
# Every lane runs even if an earlier one failed; the exit status is the first failing
# lane's. Each lane's output also goes to test-artifacts/pytest-<promtool dir>.log, and
# the last lines repeat every lane's pytest summary line and wall time, so that a
# failed CI log ends with both verdicts instead of only make's "Error 1".
set -uo pipefail

lanes=()
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do lanes+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ "${#lanes[@]}" -gt 0 ] || { echo "usage: $0 PROMTOOL[:MARKS]... [-- PYTEST_ARG...]" >&2; exit 2; }

PYTEST="${PYTEST:-.venv/bin/pytest}"
LOGS="${LANE_LOGS:-test-artifacts}"
mkdir -p "$LOGS"

status=0
summaries=()
for lane in "${lanes[@]}"; do
  promtool="${lane%%:*}"
  marks=""
  [ "$lane" != "$promtool" ] && marks="${lane#*:}"
  name="$(basename "$(dirname "$promtool")")"   # promtool-2, promtool-3
  log="$LOGS/pytest-$name.log"
  version="$("$promtool" --version 2>&1 | head -n1)"
  args=()
  [ -n "$marks" ] && args+=(-m "$marks")
  echo "==== PROMTOOL=$promtool: $version${marks:+ (-m '$marks')}"
  start=$SECONDS
  PROMTOOL="$promtool" "$PYTEST" "${args[@]}" "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  took=$((SECONDS - start))
  [ "$rc" -ne 0 ] && [ "$status" -eq 0 ] && status=$rc
  # pytest's last "==== 3 failed, 900 passed in 61.2s ====" line (or its -q form).
  summary="$(grep -E '(passed|failed|error|skipped|deselected|no tests ran).* in [0-9.]+s' "$log" | tail -n1)"
  summaries+=("==== $name${marks:+ (-m '$marks')}: exit $rc, ${took}s wall: ${summary:-no pytest summary (see $log)}")
  # -ra's FAILED/ERROR lines of that lane, at most 20.
  while IFS= read -r line; do summaries+=("       $line"); done < <(grep -E '^(FAILED|ERROR) ' "$log" | head -n 20)
done

echo "==== lanes (logs in $LOGS/)"
for line in "${summaries[@]}"; do echo "$line"; done
exit "$status"
