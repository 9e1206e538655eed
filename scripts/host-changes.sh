# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this
# Sourced by the scripts that change this host (prereqs.sh, build-base-image.sh, test-fleet.sh)
# and by reset-host.sh, which undoes those changes. The record of what was
# changed lives outside any clone, so a reset from a fresh clone still finds
# what an older clone did.
if [ "$(id -u)" = 0 ]; then
  HOST_STATE=${SPS_HOST_STATE:-/var/lib/simplepysandbox}
else
  HOST_STATE=${SPS_HOST_STATE:-${DATA_DIR:-$PWD/.data}/host}
fi
DOCKERD_PIDFILE=/var/run/docker.pid

can_apt_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

# Installs Debian packages and records their names for reset-host.sh.
apt_install() {
  if ! can_apt_install; then
    echo "ERROR: $* missing, and this is not a Debian/Ubuntu host where I am root: install $* yourself" >&2
    exit 1
  fi
  echo "[host] installing Debian packages: $*"
  mkdir -p "$HOST_STATE" && chmod 700 "$HOST_STATE"
  if [ ! -f "$HOST_STATE/apt-updated" ]; then apt-get update -qq >/dev/null && touch "$HOST_STATE/apt-updated"; fi
  printf '%s\n' "$@" >>"$HOST_STATE/installed-packages"
  # apt's chatter (debconf, needrestart) is kept for when something fails.
  local log="$HOST_STATE/apt.log"
  if ! DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get install -y -qq "$@" >"$log" 2>&1; then
    cat "$log" >&2
    echo "ERROR: could not install $*" >&2
    exit 1
  fi
}

# The pid in a pid file, only if that process is still the program named: a stale file may name another process now.
live_pid() {
  local file=$1 program=$2 pid
  [ -f "$file" ] || return 1
  pid=$(tr -dc 0-9 <"$file")
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$program" ] && echo "$pid"
}

stop_by_pidfile() {
  local file=$1 program=$2 pid
  pid=$(live_pid "$file" "$program") || return 0
  echo "[host] stopping $program (pid $pid, from $file)"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  echo "[host] $program did not stop within 30 s: killing it"
  kill -KILL "$pid" 2>/dev/null || true
}
