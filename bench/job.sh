#!/usr/bin/env bash
# npm run bench:job: readings/s through the job's batch logic vs the seed's on local[2] (prints figures, asserts nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  echo "bench:job: .venv is missing: run bash scripts/setup.sh first" >&2
  exit 1
fi
exec .venv/bin/python bench/job/run.py "$@"
