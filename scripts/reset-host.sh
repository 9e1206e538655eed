#!/usr/bin/env bash
# Puts this host back to how a fresh Debian machine was before the project's
# scripts ran: whatever they installed, started or changed is undone, so that
# the next `npm start` or `npm test` proves the whole path from zero.
#   scripts/reset-host.sh --yes     (or CI=true)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/host-changes.sh
trap 'echo "[reset] FAILED at line $LINENO" >&2' ERR

# Every Debian package the scripts may install; their dependencies go with them (autoremove).
KNOWN_PACKAGES=(docker.io containerd runc crun redis-server redis-tools debootstrap shellcheck chromium chromium-common docker-registry)
# Controllers that scripts/prereqs.sh may have moved from cgroup v2 to v1 before it kept a record (for crun).
LEGACY_MOVED_CGROUPS=(hugetlb)
DOCKER_PATHS=(/etc/docker/daemon.json /var/lib/docker /var/lib/containerd /run/docker /run/containerd /var/run/docker.sock)

say() { echo "[reset] $*"; }

recorded() { if [ -f "$HOST_STATE/$1" ]; then sort -u "$HOST_STATE/$1"; fi; }

installed_packages() {
  local package
  for package in "${KNOWN_PACKAGES[@]}" $(recorded installed-packages); do
    dpkg-query -W -f '${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed' && echo "$package"
  done | sort -u
}

moved_cgroups() {
  local controller
  for controller in "${LEGACY_MOVED_CGROUPS[@]}" $(recorded moved-cgroups); do
    # Only where the host also has a v2 hierarchy: that is where prereqs.sh moved it from.
    if [ -d /sys/fs/cgroup/unified ] && mountpoint -q "/sys/fs/cgroup/$controller" 2>/dev/null; then echo "$controller"; fi
  done | sort -u
}

unmount_under() {
  local mount
  # Deepest first; lazily, so a mount still busy goes as soon as it is free.
  findmnt -rn -o TARGET | { grep -E "^($1)(/|$)" || true; } | sort -r | while read -r mount; do umount -l "$mount" 2>/dev/null || true; done
}

put_cgroup_back() {
  local controller=$1 root="/sys/fs/cgroup/$1"
  # A v1 hierarchy goes back to v2 only when it is unmounted with no child
  # groups left; those of containers that just stopped take a moment to empty.
  for _ in $(seq 1 50); do
    find "$root" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
    [ -z "$(find "$root" -mindepth 1 -type d -print -quit)" ] && break
    sleep 0.2
  done
  if ! umount "$root"; then say "could not unmount $root"; return 0; fi
  rmdir "$root" 2>/dev/null || true
  for _ in $(seq 1 25); do
    grep -qw "$controller" /sys/fs/cgroup/unified/cgroup.controllers && return 0
    sleep 0.2
  done
  say "WARNING: $controller did not return to the v2 hierarchy (a group in it is still dying); scripts/prereqs.sh mounts it again, a reboot restores it"
}

# The registries and second engines of registry tests killed before their clean-up (scripts/test-fleet.sh).
recorded_fleets() {
  local record dir
  for record in "$HOST_STATE"/test-fleets/*; do
    [ -f "$record" ] && read -r dir _ <"$record" && echo "$dir"
  done
}

mapfile -t packages < <(installed_packages)
mapfile -t fleets < <(recorded_fleets)
mapfile -t cgroups < <(moved_cgroups)
cat <<PLAN
[reset] this puts the host back to fresh for SimplePySandbox. It will:
  - stop the redis-server and dockerd that the project's scripts started (by their pid files)
  - stop the test registries and second engines left by registry tests, and remove their directories: ${fleets[*]:-(none)}
  - purge these Debian packages and the dependencies they pulled in: ${packages[*]:-(none installed)}
  - remove ${DOCKER_PATHS[*]}
  - unmount the cgroup controllers moved for crun: ${cgroups[*]:-(none)}
  - remove $PWD/.data and $HOST_STATE
PLAN
if [ "${1:-}" != --yes ] && [ "${CI:-}" != true ]; then
  echo "[reset] refusing: nothing was changed. Run with --yes (or CI=true) to do it." >&2
  exit 2
fi
[ "$(id -u)" = 0 ] || { echo "[reset] must run as root" >&2; exit 1; }
started=$SECONDS

bash scripts/test-fleet.sh stop-recorded
for pidfile in "$HOST_STATE/redis.pid" .data/redis.pid; do stop_by_pidfile "$pidfile" redis-server; done
stop_by_pidfile "$DOCKERD_PIDFILE" dockerd
stop_by_pidfile /run/docker/containerd/containerd.pid containerd
unmount_under '/var/lib/docker|/run/docker|/var/lib/containerd|/run/containerd'

if [ ${#packages[@]} -gt 0 ]; then
  say "purging ${packages[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${packages[@]}" >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get autoremove --purge -y -qq >/dev/null
fi
rm -rf "${DOCKER_PATHS[@]}"
rmdir /etc/docker 2>/dev/null || true

for controller in "${cgroups[@]}"; do
  say "putting the cgroup controller $controller back in the v2 hierarchy"
  put_cgroup_back "$controller"
done

rm -rf .data "$HOST_STATE"
say "done in $((SECONDS - started)) s"
