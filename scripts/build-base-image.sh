#!/usr/bin/env bash
# Builds the sandbox base image (the environment named "default").
#   SANDBOX_BASE_SOURCE=registry  FROM a pulled Python image (SANDBOX_PYTHON_IMAGE)
#   SANDBOX_BASE_SOURCE=offline   FROM a Debian rootfs made by debootstrap and docker import
#   SANDBOX_BASE_SOURCE=auto      registry when the Python image can be had, offline otherwise (default)
#   --push                         then push it to REGISTRY_URL, where workers that lack it pull it from
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${SANDBOX_IMAGE:-simplepysandbox/sandbox:latest}
SOURCE=${SANDBOX_BASE_SOURCE:-auto}
PYTHON_IMAGE=${SANDBOX_PYTHON_IMAGE:-python:3.12-slim-bookworm}
OFFLINE_BASE=${SANDBOX_OFFLINE_BASE:-simplepysandbox/debian-python:bookworm}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CONTEXT=docker/sandbox
source scripts/host-changes.sh

source_hash() { cat "$CONTEXT/Dockerfile" "$CONTEXT/runner.py" | sha256sum | cut -c1-16; }
if [ "${1:-}" = "--source-hash" ]; then source_hash; exit 0; fi

say() { echo "[image] $*"; }

offline_base() {
  if docker image inspect "$OFFLINE_BASE" >/dev/null 2>&1; then return 0; fi
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
  # A global, not a local: the EXIT trap runs after this function has returned.
  debootstrap_root=$(mktemp -d)
  trap 'rm -rf "$debootstrap_root"' EXIT
  local root=$debootstrap_root
  say "debootstrap bookworm with python3 from $DEBIAN_MIRROR (about a minute)"
  debootstrap --variant=minbase --include=python3 bookworm "$root" "$DEBIAN_MIRROR" >/dev/null
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
  say "importing the rootfs as $OFFLINE_BASE"
  tar -C "$root" -c . | docker import - "$OFFLINE_BASE" >/dev/null
}

base=$PYTHON_IMAGE
case "$SOURCE" in
  registry) docker image inspect "$PYTHON_IMAGE" >/dev/null 2>&1 || docker pull "$PYTHON_IMAGE" ;;
  offline) offline_base; base=$OFFLINE_BASE ;;
  auto)
    # An imported offline base without the registry image means an earlier run found no registry.
    if docker image inspect "$OFFLINE_BASE" >/dev/null 2>&1 && ! docker image inspect "$PYTHON_IMAGE" >/dev/null 2>&1; then
      say "reusing the offline base $OFFLINE_BASE (set SANDBOX_BASE_SOURCE=registry to pull instead)"
      base=$OFFLINE_BASE
    elif docker image inspect "$PYTHON_IMAGE" >/dev/null 2>&1 || timeout 60 docker pull -q "$PYTHON_IMAGE" >/dev/null 2>&1; then
      say "using the registry image $PYTHON_IMAGE"
    else
      say "the registry is unreachable: building offline from Debian packages"
      offline_base; base=$OFFLINE_BASE
    fi ;;
  *) echo "SANDBOX_BASE_SOURCE must be auto, registry or offline" >&2; exit 1 ;;
esac

say "building $IMAGE from $base"
# The build needs no network: it only copies the runner and compiles it.
# Its output (and the client's notes on the legacy builder) is shown only when it fails.
build_log=$(mktemp)
# The base's digest goes into a label, which results show as their reproducibility stamp's baseDigest.
if ! docker build -q --network none --build-arg "BASE_IMAGE=$base" \
  --label "io.simplepysandbox.source=$(source_hash)" \
  --label "io.simplepysandbox.base-digest=$(docker image inspect -f '{{.Id}}' "$base")" \
  -t "$IMAGE" "$CONTEXT" >"$build_log" 2>&1; then
  cat "$build_log" >&2
  rm -f "$build_log"
  exit 1
fi
rm -f "$build_log"
say "built $IMAGE"
if [ "${1:-}" = "--push" ]; then
  test -f dist/apps/worker/src/environment-build/base-image-push.cli.js || npx nest build worker
  node dist/apps/worker/src/environment-build/base-image-push.cli.js
fi
