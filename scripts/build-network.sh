# Sourced by the start and image scripts. Environment builds need a network for
# apt, pip and conda: Docker's default bridge, or the host's network when the
# engine has no bridge (as with the dockerd that scripts/prereqs.sh starts).
if [ -z "${ENV_BUILD_NETWORK:-}" ] && ! DOCKER_HOST="unix://${DOCKER_SOCKET:-/var/run/docker.sock}" docker network inspect bridge >/dev/null 2>&1; then
  export ENV_BUILD_NETWORK=host
  echo "[build-network] the Docker engine has no bridge network: environment builds use the host network (ENV_BUILD_NETWORK=host)"
fi
