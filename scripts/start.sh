#!/usr/bin/env bash
# Builds the apps and runs the API with one worker, in the foreground. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build
node dist/apps/worker/src/main.js &
worker=$!
node dist/apps/api/src/main.js &
api=$!
stop() { kill -TERM "$api" "$worker" 2>/dev/null || true; wait "$api" "$worker" 2>/dev/null || true; }
trap stop INT TERM

# Once the service can run code, a short block on how to reach it.
port=${PORT:-3000}
url="http://localhost:$port"
key_file=${ADMIN_KEY_FILE:-${DATA_DIR:-.data}/admin-key}
ready_banner() {
  local ready=''
  for _ in $(seq 1 240); do
    kill -0 "$api" 2>/dev/null && kill -0 "$worker" 2>/dev/null || return 0
    if curl -sf --max-time 2 "$url/health/ready" >/dev/null 2>&1; then ready=yes; break; fi
    sleep 0.5
  done
  if [ -z "$ready" ]; then
    echo "[start] not ready after 2 minutes: $url/health/ready says why" >&2
    return 0
  fi
  local auth key_note
  if [ "${AUTH:-on}" = off ]; then
    auth='' key_note='none: AUTH=off'
  elif [ -n "${ADMIN_API_KEY:-}" ]; then
    auth=" -H \"Authorization: Bearer \$ADMIN_API_KEY\"" key_note='the ADMIN_API_KEY you set'
  else
    auth=" -H \"Authorization: Bearer \$(cat $key_file)\"" key_note="$key_file (or: npm run keys -- create --name me --admin)"
  fi
  cat <<BANNER

  SimplePySandbox is ready
    API        $url
    API docs   $url/docs
    Admin key  $key_note
  Run some code:
    curl -s -X POST '$url/v1/executions?wait=true'$auth -H 'content-type: application/json' -d '{"code": "print(\"hello\")"}'

BANNER
}
ready_banner &

wait -n "$api" "$worker" || true
stop
