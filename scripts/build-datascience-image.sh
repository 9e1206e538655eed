#!/usr/bin/env bash
# Builds the image of the built-in "datascience" environment on this host's engine,
# with the worker's own build code and the tag a worker would give it.
#   npm run image:datascience                      Debian packages (ENV_DATASCIENCE, default apt)
#   npm run image:datascience -- --source conda    conda-forge packages through micromamba
set -euo pipefail
cd "$(dirname "$0")/.."
npx nest build worker
exec node dist/apps/worker/src/environment-build/environment-image.cli.js datascience "$@"
