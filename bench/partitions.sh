#!/usr/bin/env bash
# npm run bench:partitions: a micro-batch's duration at 0, 1,000 and 10,000 existing partitions (prints figures).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  echo "bench:partitions: .venv is missing: run bash scripts/setup.sh first" >&2
  exit 1
fi
exec .venv/bin/python bench/partitions/run.py "$@"
