#!/usr/bin/env bash
# Runs every test: TypeScript (jest) then Python (pytest). Both always run; the exit code fails if either failed.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
npx jest --ci || status=1
if [ -f scripts/test-python.sh ]; then bash scripts/test-python.sh || status=1; fi
exit $status
