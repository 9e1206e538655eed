#!/usr/bin/env bash
# Proves the README's first command: runs `npm start` as a newcomer would, waits
# for the service to answer, runs print("hello") through the API, reports how
# long that took from the first keystroke, then stops the service.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-3000}
GIVE_UP_AFTER_S=${FIRST_START_GIVE_UP_S:-900}
mkdir -p .data
log=.data/first-start.log
say() { echo "[first-start] $*"; }

started=$SECONDS
setsid npm start >"$log" 2>&1 &
leader=$!
stop() { kill -INT -- "-$leader" 2>/dev/null || true; wait "$leader" 2>/dev/null || true; }
trap stop EXIT

say "npm start is running (log: $log)"
answer=''
while [ $((SECONDS - started)) -lt "$GIVE_UP_AFTER_S" ]; do
  if ! kill -0 "$leader" 2>/dev/null; then
    tail -n 40 "$log" >&2
    say "FAILED: npm start exited before it served a result" >&2
    exit 1
  fi
  if [ -s .data/admin-key ] && curl -sf --max-time 2 "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1; then
    answer=$(curl -s --max-time 30 -X POST "http://127.0.0.1:$PORT/v1/executions?wait=true" \
      -H "Authorization: Bearer $(cat .data/admin-key)" -H 'content-type: application/json' \
      -d '{"code": "print(\"hello\")"}' || true)
    case "$answer" in *'"status":"succeeded"'*'"stdout":"hello\n"'* | *'"stdout":"hello\n"'*'"status":"succeeded"'*) break ;; esac
  fi
  sleep 1
done
case "$answer" in
  *'"stdout":"hello\n"'*) ;;
  *)
    tail -n 40 "$log" >&2
    say "FAILED: no first result within $GIVE_UP_AFTER_S s; last answer: ${answer:-none}" >&2
    exit 1 ;;
esac
elapsed=$((SECONDS - started))
for _ in $(seq 1 20); do grep -q 'SimplePySandbox is ready' "$log" && break; sleep 0.5; done
grep -q 'SimplePySandbox is ready' "$log" || { say "FAILED: npm start printed no ready block" >&2; exit 1; }
# Error lines: the scripts' own, the shell's, and pino's error and fatal levels.
errors='ERROR|unbound variable|command not found|"level":(50|60)'
if grep -qE "$errors" "$log"; then
  grep -E "$errors" "$log" | head -n 20 >&2
  say "FAILED: npm start logged errors on its way to the first result" >&2
  exit 1
fi
say "first result from a fresh npm start after $elapsed s"
