#!/usr/bin/env bash
# The Python benchmarks from the project venv (they print figures and assert nothing):
#   bash bench/python.sh job [args]         npm run bench:job: readings/s through the job's batch logic vs the seed's
#   bash bench/python.sh partitions [args]  npm run bench:partitions: a batch's duration at 0, 1,000, 10,000 partitions
#   bash bench/python.sh maintenance [args] npm run bench:maintenance: a night's housekeeping at the largest environment's volume
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:-}
shift || true
if [ -z "$name" ] || [ ! -f "bench/$name/run.py" ]; then
  echo "bench: which benchmark: job, partitions or maintenance (got '$name')" >&2
  exit 2
fi
if [ ! -x .venv/bin/python ]; then
  echo "bench:$name: .venv is missing: run bash scripts/setup.sh first" >&2
  exit 1
fi
exec .venv/bin/python "bench/$name/run.py" "$@"
