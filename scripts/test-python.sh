#!/usr/bin/env bash
# Runs every Python test in the repository (the job's unit and integration tests, the test harnesses' own tests)
# with pytest from the project venv; prints pytest's normal summary line. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  echo "test-python: .venv is missing: run bash scripts/setup.sh first" >&2
  exit 1
fi
dirs=()
for dir in jobs test bench src scripts; do
  [ -d "$dir" ] && dirs+=("$dir")
done
exec .venv/bin/python -m pytest -p no:cacheprovider -rfEs "${dirs[@]}" "$@"
