#!/usr/bin/env bash
# The whole suite: unit specs, then end-to-end specs over HTTP against the real
# Redis and Docker that scripts/prereqs.sh made sure of (npm's pretest hook).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
npm run --silent lint:scripts || exit 1
npm run --silent lint && npm run --silent test:runner || exit 1
npm run --silent build || exit 1
mkdir -p .data
report=.data/jest-report.json
npx jest --runInBand --json --outputFile="$report" "$@"
status=$?
# One plain closing line, whatever the reporter printed above it.
# shellcheck disable=SC2016 # JavaScript, not shell
node -e '
  const r = require(process.argv[1]);
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' "$PWD/$report" 2>/dev/null || echo "0 passed, 1 failed"
exit $status
