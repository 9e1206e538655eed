#!/usr/bin/env bash
# Makes sure everything the service needs is here before it starts or is tested:
# npm packages, a reachable Redis, a reachable Docker engine and the sandbox image.
# Each step says what it does; anything it cannot provide stops with a clear message.
set -euo pipefail
cd "$(dirname "$0")/.."

REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
DOCKER_SOCKET=${DOCKER_SOCKET:-/var/run/docker.sock}
SANDBOX_IMAGE=${SANDBOX_IMAGE:-simplepysandbox/sandbox:latest}
DATA_DIR=${DATA_DIR:-$PWD/.data}
FOR_TESTS=false
[ "${1:-}" = --test ] && FOR_TESTS=true
source scripts/host-changes.sh
mkdir -p "$HOST_STATE" && chmod 700 "$HOST_STATE"

say() { echo "[prereqs] $*"; }
die() { echo "[prereqs] ERROR: $*" >&2; exit 1; }

ensure_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm dependencies"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

redis_ping() {
  local hostport=${REDIS_URL#*://}; hostport=${hostport#*@}; hostport=${hostport%%/*}
  local host=${hostport%%:*} port=${hostport##*:}
  [ "$port" = "$hostport" ] && port=6379
  timeout 3 bash -c "exec 3<>/dev/tcp/$host/$port && printf 'PING\r\n' >&3 && head -c 5 <&3" 2>/dev/null | grep -q -e PONG -e NOAUTH
}

ensure_redis() {
  redis_ping && return 0
  case "$REDIS_URL" in
    redis://127.0.0.1*|redis://localhost*) ;;
    *) die "Redis at $REDIS_URL is unreachable" ;;
  esac
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  local port=${REDIS_URL##*:}; port=${port%%/*}; [[ "$port" =~ ^[0-9]+$ ]] || port=6379
  mkdir -p "$DATA_DIR"
  say "starting a local redis-server on 127.0.0.1:$port (AOF on, data in $DATA_DIR)"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$DATA_DIR" --appendonly yes --appendfsync everysec \
    --maxmemory-policy noeviction --daemonize yes --logfile "$DATA_DIR/redis.log" --pidfile "$HOST_STATE/redis.pid" >/dev/null
  for _ in $(seq 1 50); do redis_ping && return 0; sleep 0.1; done
  die "redis-server did not come up; see $DATA_DIR/redis.log"
}

docker_ping() {
  curl -sf --max-time 3 --unix-socket "$DOCKER_SOCKET" http://localhost/_ping >/dev/null 2>&1
}

ensure_docker() {
  command -v curl >/dev/null 2>&1 || apt_install curl
  docker_ping && return 0
  can_apt_install || die "no Docker engine answers on $DOCKER_SOCKET; start Docker (or set DOCKER_SOCKET) and retry"
  command -v dockerd >/dev/null 2>&1 || apt_install docker.io
  mkdir -p "$DATA_DIR"
  # No default bridge, no iptables rules: sandboxes use network "none", and
  # builds that need the package archive use the host network.
  say "starting dockerd (log: $DATA_DIR/dockerd.log)"
  setsid nohup dockerd --bridge=none --iptables=false --ip-masq=false --pidfile "$DOCKERD_PIDFILE" >"$DATA_DIR/dockerd.log" 2>&1 < /dev/null &
  for _ in $(seq 1 100); do docker_ping && return 0; sleep 0.3; done
  die "dockerd did not come up; see $DATA_DIR/dockerd.log"
}

# crun is offered as a faster OCI runtime (SANDBOX_RUNTIME=crun). Docker learns
# about it from daemon.json, re-read on SIGHUP without a restart.
ensure_crun_runtime() {
  can_apt_install || return 0
  command -v crun >/dev/null 2>&1 || apt_install crun
  local config=/etc/docker/daemon.json
  if ! grep -q '"crun"' "$config" 2>/dev/null; then
    say "registering the crun runtime in $config"
    mkdir -p /etc/docker
    node -e '
      const fs = require("fs"); const file = process.argv[1];
      const config = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8") || "{}") : {};
      config.runtimes = { ...(config.runtimes || {}), crun: { path: "/usr/bin/crun" } };
      fs.writeFileSync(file, JSON.stringify(config, null, 2) + "\n");
    ' "$config"
    pkill -HUP -x dockerd || true
    sleep 1
  fi
  # crun refuses hybrid cgroup hosts whose v2 hierarchy still holds controllers
  # (seen: hugetlb). Binding such an unused controller to its own v1 hierarchy fixes that.
  # cgroup files always report size 0, so read them rather than test their size.
  local unified=/sys/fs/cgroup/unified/cgroup.controllers controller controllers=""
  [ -r "$unified" ] && controllers=$(cat "$unified")
  if [ -n "$controllers" ]; then
    for controller in $controllers; do
      say "moving the unused cgroup controller $controller from the v2 to a v1 hierarchy, for crun"
      mkdir -p "/sys/fs/cgroup/$controller"
      if mount -t cgroup -o "$controller" cgroup "/sys/fs/cgroup/$controller"; then
        echo "$controller" >>"$HOST_STATE/moved-cgroups"
      else
        say "could not move $controller: crun may not work here"
      fi
    done
  fi
}

ensure_base_image() {
  command -v docker >/dev/null 2>&1 || apt_install docker.io
  local wanted current
  wanted=$(bash scripts/build-base-image.sh --source-hash)
  current=$(docker image inspect -f '{{ index .Config.Labels "io.simplepysandbox.source" }}' "$SANDBOX_IMAGE" 2>/dev/null || true)
  if [ "$current" != "$wanted" ]; then
    say "building the sandbox image $SANDBOX_IMAGE"
    bash scripts/build-base-image.sh
  fi
}

# Only the tests need these: shellcheck lints scripts/, and the browser tests drive
# Debian's Chromium (never a downloaded browser). The service itself needs neither.
ensure_test_tools() {
  command -v shellcheck >/dev/null 2>&1 || apt_install shellcheck
  command -v chromium >/dev/null 2>&1 || apt_install chromium
  command -v docker-registry >/dev/null 2>&1 || apt_install_without_starting docker-registry
}

# Debian's docker-registry package starts its own service, listening on every interface;
# the registry tests start theirs on loopback with a config of their own (scripts/test-fleet.sh).
# A policy-rc.d that denies every start keeps the package from starting anything while it installs.
apt_install_without_starting() {
  local policy=/usr/sbin/policy-rc.d
  if [ -e "$policy" ]; then apt_install "$@"; return; fi
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  # apt_install exits on failure: the subshell's trap takes the policy away either way.
  (trap 'rm -f "$policy"' EXIT; apt_install "$@")
}

ensure_node_modules
ensure_redis
ensure_docker
ensure_crun_runtime
ensure_base_image
if [ "$FOR_TESTS" = true ]; then ensure_test_tools; fi
say "ready: Redis at $REDIS_URL, Docker at $DOCKER_SOCKET, image $SANDBOX_IMAGE"
