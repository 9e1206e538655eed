#!/usr/bin/env bash
# Builds the apps and runs the API with one worker, in the foreground. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build
source scripts/build-network.sh
node dist/apps/worker/src/main.js &
worker=$!
node dist/apps/api/src/main.js &
api=$!
stop() { kill -TERM "$api" "$worker" 2>/dev/null || true; wait "$api" "$worker" 2>/dev/null || true; }
trap stop INT TERM
wait -n "$api" "$worker" || true
stop
