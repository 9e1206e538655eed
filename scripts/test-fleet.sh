#!/usr/bin/env bash
# A second host's worth of parts on this one machine, for the registry tests:
# a CNCF Distribution registry (Debian's docker-registry) on loopback, and a
# second Docker engine with its own data root, exec root, containerd, pid
# file and socket. Everything lives under one directory, and each fleet is
# recorded under $HOST_STATE, so scripts/reset-host.sh stops it and removes
# its directory even when a test run was killed before it could.
#
#   scripts/test-fleet.sh start DIR PORT USER PASSWORD   the registry on 127.0.0.1:PORT (basic auth) and the engine on DIR/engine/docker.sock
#   scripts/test-fleet.sh registry-stop DIR               stop the registry only (its storage stays)
#   scripts/test-fleet.sh registry-start DIR              start it again with the same storage and port
#   scripts/test-fleet.sh stop DIR                        stop both and remove DIR
#   scripts/test-fleet.sh stop-recorded                   stop and remove every fleet recorded on this host
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/host-changes.sh
RECORDS=$HOST_STATE/test-fleets

say() { echo "[test-fleet] $*"; }
die() { echo "[test-fleet] ERROR: $*" >&2; exit 1; }

record_of() { echo "$RECORDS/$(printf '%s' "$1" | sha256sum | cut -c1-16)"; }

registry_port() { sed -n 's/^  addr: 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$1/registry.yml"; }

registry_answers() {
  # 401 counts: the registry is up and asks for the credentials.
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/v2/" || true)
  [ "$code" = 200 ] || [ "$code" = 401 ]
}

start_registry() {
  local dir=$1 port
  # Once only: a second one could not listen, and would leave the pid file naming it instead of the first.
  if live_pid "$dir/registry.pid" docker-registry >/dev/null; then return 0; fi
  port=$(registry_port "$dir")
  [ -n "$port" ] || die "no registry config in $dir"
  setsid nohup docker-registry serve "$dir/registry.yml" >>"$dir/registry.log" 2>&1 </dev/null &
  echo $! >"$dir/registry.pid"
  for _ in $(seq 1 100); do registry_answers "$port" && return 0; sleep 0.1; done
  die "the registry did not come up on 127.0.0.1:$port; see $dir/registry.log"
}

engine_ping() { curl -sf --max-time 3 --unix-socket "$1/engine/docker.sock" http://localhost/_ping >/dev/null 2>&1; }

start_engine() {
  local dir=$1 engine=$1/engine
  mkdir -p "$engine"
  # Its own daemon.json: the host's may name hosts or a pid file, which would clash with the flags below.
  # It shares the host's kernel and cgroups, so crun and the cgroup move of scripts/prereqs.sh serve it too.
  if command -v crun >/dev/null 2>&1; then
    printf '{ "runtimes": { "crun": { "path": "%s" } } }\n' "$(command -v crun)" >"$engine/daemon.json"
  else
    echo '{}' >"$engine/daemon.json"
  fi
  # The same flags as the host's engine (scripts/prereqs.sh): no bridge, no iptables rules.
  # The registry is on 127.0.0.0/8, which Docker treats as insecure (plain HTTP) without being told.
  setsid nohup dockerd --config-file "$engine/daemon.json" --data-root "$engine/data" --exec-root "$engine/exec" \
    --pidfile "$engine/docker.pid" -H "unix://$engine/docker.sock" \
    --bridge=none --iptables=false --ip-masq=false >"$engine/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 100); do engine_ping "$dir" && return 0; sleep 0.3; done
  die "the second dockerd did not come up; see $engine/dockerd.log"
}

stop_fleet() {
  local dir=$1
  stop_by_pidfile "$dir/registry.pid" docker-registry
  # dockerd stops the containerd it started; that one is stopped too if dockerd died first.
  stop_by_pidfile "$dir/engine/docker.pid" dockerd
  stop_by_pidfile "$dir/engine/exec/containerd/containerd.pid" containerd
  # Container mounts and network namespaces under the engine's roots, deepest first.
  findmnt -rn -o TARGET | { grep -F "$dir/" || true; } | sort -r | while read -r mount; do umount -l "$mount" 2>/dev/null || true; done
  # Only a directory this script made: a record that names anything else removes nothing.
  if [ -f "$dir/.test-fleet" ]; then rm -rf "$dir"; fi
  rm -f "$(record_of "$dir")"
}

# Fleets whose test process is gone (killed before its clean-up ran).
stop_abandoned() {
  local record dir owner
  for record in "$RECORDS"/*; do
    [ -f "$record" ] || continue
    read -r dir owner <"$record" || true
    if [ -n "$owner" ] && ! kill -0 "$owner" 2>/dev/null; then
      say "removing the fleet in $dir: its test process $owner is gone"
      stop_fleet "$dir"
    fi
  done
}

start() {
  local dir=$1 port=$2 user=$3 password=$4
  [ "$(id -u)" = 0 ] || die "a second dockerd needs root"
  command -v docker-registry >/dev/null 2>&1 || die "docker-registry is missing: run scripts/prereqs.sh --test"
  [[ "$port" =~ ^[0-9]+$ ]] || die "PORT must be a number"
  [[ "$dir" = /* ]] || die "DIR must be absolute"
  mkdir -p "$RECORDS" "$dir/registry"
  touch "$dir/.test-fleet"
  stop_abandoned
  # Recorded before anything starts, with the test process that owns it.
  echo "$dir $PPID" >"$(record_of "$dir")"
  # bcrypt, the one hash the registry's htpasswd file takes.
  printf '%s' "$password" | python3 -W ignore -c \
    'import crypt, sys; print(sys.argv[1] + ":" + crypt.crypt(sys.stdin.read(), crypt.mksalt(crypt.METHOD_BLOWFISH)))' \
    "$user" >"$dir/htpasswd"
  cat >"$dir/registry.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
auth:
  htpasswd:
    realm: simplepysandbox-tests
    path: $dir/htpasswd
YAML
  start_registry "$dir"
  start_engine "$dir"
  say "registry on 127.0.0.1:$port, engine on $dir/engine/docker.sock"
}

case "${1:-}" in
  start) [ $# = 5 ] || die "usage: $0 start DIR PORT USER PASSWORD"; start "$2" "$3" "$4" "$5" ;;
  registry-stop) stop_by_pidfile "$2/registry.pid" docker-registry ;;
  registry-start) start_registry "$2" ;;
  stop) stop_fleet "$2" ;;
  stop-recorded)
    for record in "$RECORDS"/*; do
      [ -f "$record" ] || continue
      read -r dir _ <"$record" || true
      [ -n "$dir" ] && stop_fleet "$dir"
      rm -f "$record"
    done ;;
  *) die "usage: $0 start|registry-stop|registry-start|stop DIR ... | stop-recorded" ;;
esac
