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
REDIS_PASSWORD_FILE=${REDIS_PASSWORD_FILE:-$DATA_DIR/redis-password}
# Redis refuses writes past this (noeviction) rather than grow until the host runs out of memory.
REDIS_MAXMEMORY=${REDIS_MAXMEMORY:-1gb}
FOR_TESTS=false
[ "${1:-}" = --test ] && FOR_TESTS=true
source scripts/host-changes.sh
mkdir -p "$HOST_STATE" && chmod 700 "$HOST_STATE"
# Redis's data, its password and the admin key live here: nobody else on the host may look in.
mkdir -p "$DATA_DIR" && chmod 700 "$DATA_DIR"

say() { echo "[prereqs] $*"; }
die() { echo "[prereqs] ERROR: $*" >&2; exit 1; }

ensure_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm dependencies"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# Redis's password: REDIS_PASSWORD, the one in REDIS_URL, or the file the first start wrote.
# Never on a command line: whatever is there, `ps` shows to every user of the host.
known_redis_password() {
  local userinfo=${REDIS_URL#*://}
  userinfo=${userinfo%%/*}
  if [ -n "${REDIS_PASSWORD:-}" ]; then printf '%s' "$REDIS_PASSWORD"
  elif [[ "$userinfo" == *@* ]]; then userinfo=${userinfo%@*}; printf '%s' "${userinfo#*:}"
  elif [ -s "$REDIS_PASSWORD_FILE" ]; then tr -d '\n' <"$REDIS_PASSWORD_FILE"
  fi
}

redis_user() {
  local userinfo=${REDIS_URL#*://}
  userinfo=${userinfo%%/*}
  [[ "$userinfo" == *@* ]] || return 0
  userinfo=${userinfo%@*}
  [[ "$userinfo" == *:* ]] && printf '%s' "${userinfo%%:*}"
}

redis_host_port() {
  local hostport=${REDIS_URL#*://}; hostport=${hostport##*@}; hostport=${hostport%%/*}
  local host=${hostport%%:*} port=${hostport##*:}
  [ "$port" = "$hostport" ] && port=6379
  echo "$host $port"
}

# What Redis answers to PING, after AUTH when a password is given. The password
# travels in the environment and through printf, a builtin: no process carries it
# as an argument.
redis_ping() {
  local host port
  read -r host port < <(redis_host_port)
  # shellcheck disable=SC2016 # expanded by the inner shell, from its environment
  REDIS_AUTH=$1 REDIS_AUTH_USER=$(redis_user) LC_ALL=C timeout 5 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    resp() { printf "*%d\r\n" "$#"; for word in "$@"; do printf "\$%d\r\n%s\r\n" "${#word}" "$word"; done; }
    {
      if [ -n "$REDIS_AUTH_USER" ]; then resp AUTH "$REDIS_AUTH_USER" "$REDIS_AUTH"
      elif [ -n "$REDIS_AUTH" ]; then resp AUTH "$REDIS_AUTH"; fi
      resp PING
      resp QUIT
    } >&3
    cat <&3
  ' "$host" "$port" 2>/dev/null
}

# ok: answers with our password; open: answers without one; locked: wants one we lack;
# wrong: refuses ours; down: no answer.
redis_state() {
  local password=$1 answer
  answer=$(redis_ping "$password") || true
  case "$answer" in
    *WRONGPASS* | *"invalid password"* | *"invalid username-password"*) echo wrong ;;
    *"without any password configured"*) echo open ;;
    *NOAUTH*) echo locked ;;
    *PONG*) if [ -n "$password" ]; then echo ok; else echo open; fi ;;
    *) echo down ;;
  esac
}

new_redis_password() {
  # 256 random bits as hex: nothing to escape in a config file or a URL.
  (umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$REDIS_PASSWORD_FILE" && echo >>"$REDIS_PASSWORD_FILE")
  say "wrote a new Redis password to $REDIS_PASSWORD_FILE (mode 0600)"
}

# A Redis an earlier start left running without a password (scripts from before it had one).
lock_down_open_redis() {
  local pid
  pid=$(tr -dc 0-9 <"$HOST_STATE/redis.pid" 2>/dev/null) || pid=''
  if [ -z "$pid" ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != redis-server ]; then
    say "WARNING: Redis at $REDIS_URL takes commands without a password. Anything that reaches it (an environment"
    say "WARNING: build on the host network included) can rewrite queued jobs and mint API keys. It was not started"
    say "WARNING: by these scripts, so it is left as it is: give it a password and put that in REDIS_PASSWORD or REDIS_URL."
    return 0
  fi
  [ -n "$(known_redis_password)" ] || new_redis_password
  local host port dir
  read -r host port < <(redis_host_port)
  dir=$(redis-cli -h "$host" -p "$port" --raw CONFIG GET dir | sed -n 2p)
  # Set at run time (it was started without a config file): it lasts until that Redis stops, and the
  # next start begins it with the password. Clients already connected stay connected. -x takes the
  # password from stdin, off the command line.
  redis-cli -h "$host" -p "$port" CONFIG SET maxmemory "$REDIS_MAXMEMORY" >/dev/null
  redis-cli -h "$host" -p "$port" CONFIG SET maxmemory-policy noeviction >/dev/null
  known_redis_password | redis-cli -h "$host" -p "$port" -x CONFIG SET requirepass >/dev/null
  [ "$(redis_state "$(known_redis_password)")" = ok ] || die "could not set a password on the redis-server (pid $pid) an earlier start left running"
  if [ -d "$dir" ]; then
    chmod 700 "$dir"
    chmod -R go-rwx "$dir/appendonlydir" "$dir"/*.aof "$dir"/*.rdb 2>/dev/null || true
  fi
  say "the redis-server an earlier start left running (pid $pid) took commands without a password:"
  say "it has one now (from ${REDIS_PASSWORD:+REDIS_PASSWORD}${REDIS_PASSWORD:-$REDIS_PASSWORD_FILE}), maxmemory $REDIS_MAXMEMORY with noeviction, and its data in ${dir:-?} is private"
}

# The config goes in on stdin (`redis-server -`), so the password is on no command line.
redis_config() {
  local port=$1 password=$2
  cat <<CONFIG
bind 127.0.0.1
port $port
dir "$DATA_DIR"
appendonly yes
appendfsync everysec
maxmemory $REDIS_MAXMEMORY
maxmemory-policy noeviction
daemonize yes
logfile "$DATA_DIR/redis.log"
pidfile "$HOST_STATE/redis.pid"
requirepass "$password"
CONFIG
}

ensure_redis() {
  case "$(redis_state "$(known_redis_password)")" in
    ok) return 0 ;;
    open) lock_down_open_redis; return 0 ;;
    locked) die "Redis at $REDIS_URL wants a password: put it in REDIS_PASSWORD, REDIS_URL or $REDIS_PASSWORD_FILE" ;;
    wrong) die "Redis at $REDIS_URL refuses the password from REDIS_PASSWORD, REDIS_URL or $REDIS_PASSWORD_FILE" ;;
  esac
  case "$REDIS_URL" in
    redis://127.0.0.1*|redis://localhost*) ;;
    *) die "Redis at $REDIS_URL is unreachable" ;;
  esac
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  local port=${REDIS_URL##*:}; port=${port%%/*}; [[ "$port" =~ ^[0-9]+$ ]] || port=6379
  [ -n "$(known_redis_password)" ] || new_redis_password
  say "starting a local redis-server on 127.0.0.1:$port (AOF on, data in $DATA_DIR, maxmemory $REDIS_MAXMEMORY, password in ${REDIS_PASSWORD:+REDIS_PASSWORD}${REDIS_PASSWORD:-$REDIS_PASSWORD_FILE})"
  # umask 077: the AOF holds every tenant's code and results.
  (umask 077 && redis_config "$port" "$(known_redis_password)" | redis-server - >/dev/null)
  for _ in $(seq 1 50); do [ "$(redis_state "$(known_redis_password)")" = ok ] && return 0; sleep 0.1; done
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

# A v1 cgroup hierarchy unmounted while one of its groups was still dying lives on,
# detached (the reset script can leave hugetlb so). Container runtimes then fail to
# load the container's v1 groups, and Docker stops reporting OOM kills. Mounting
# the hierarchy again at its usual place restores a consistent hybrid host.
reattach_detached_cgroups() {
  [ -d /sys/fs/cgroup/unified ] || return 0
  local id controllers _rest
  while IFS=: read -r id controllers _rest; do
    case "$id:$controllers" in 0:* | *:name=* | *:) continue ;; esac
    findmnt -rn -t cgroup -O "$controllers" >/dev/null && continue
    say "mounting the detached cgroup hierarchy $controllers at /sys/fs/cgroup/$controllers"
    mkdir -p "/sys/fs/cgroup/$controllers"
    mount -t cgroup -o "$controllers" cgroup "/sys/fs/cgroup/$controllers" ||
      say "could not mount $controllers: Docker may not report OOM kills here"
  done </proc/self/cgroup
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
reattach_detached_cgroups
ensure_crun_runtime
ensure_base_image
if [ "$FOR_TESTS" = true ]; then ensure_test_tools; fi
say "ready: Redis at $REDIS_URL, Docker at $DOCKER_SOCKET, image $SANDBOX_IMAGE"
