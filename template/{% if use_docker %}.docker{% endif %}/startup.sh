#!/usr/bin/env bash
# What the training container runs (CMD of .docker/Dockerfile): the tests, then training. The first
# failure stops it, so no model is trained by code whose tests fail. Arguments go to main.py:
#   docker compose run --rm train bash .docker/startup.sh --help
set -euo pipefail

cd "$(dirname "$0")/.."

echo "==> pytest tests/"
python3 -m pytest tests/

echo "==> python main.py $*"
exec python3 main.py "$@"
