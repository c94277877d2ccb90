#!/usr/bin/env bash
# What the training container runs (CMD of .docker/Dockerfile): the tests, then training. The first
# failure stops it, so no model is trained by code whose tests fail. Arguments go to main.py:
#   docker compose run --rm train bash .docker/startup.sh --help
# The serve service runs `startup.sh serve ...`: the HTTP server, without the tests.
set -euo pipefail

cd "$(dirname "$0")/.."

# `serve` starts at once: the checkpoint it serves was trained after these tests passed.
if [ "${1:-}" != serve ]; then
    echo "==> pytest tests/"
    python3 -m pytest tests/
fi

echo "==> python main.py $*"
exec python3 main.py "$@"
