#!/usr/bin/env bash
# Installs what the project needs on a fresh machine; idempotent, so a second run is quick.
# Each concern has its own script in scripts/setup.d/, run in name order.
#   bash scripts/setup.sh              what `npm start` needs: Node, Python 3.11, Java 17 and Maven are enough
#   bash scripts/setup.sh --for-tests  also what only `npm test` uses: the Spark 3.1/2.4 lanes (Python 3.8/3.7),
#                                      Knox, the Go-built tools
# A step that only the tests use says so in a line `# setup: tests only`.
set -euo pipefail
cd "$(dirname "$0")/.."
for_tests=false
case "${1:-}" in
  "") ;;
  --for-tests) for_tests=true ;;
  *) echo "usage: bash scripts/setup.sh [--for-tests]" >&2; exit 2 ;;
esac
for step in scripts/setup.d/*.sh; do
  if ! $for_tests && grep -qx '# setup: tests only' "$step"; then
    echo "==> setup: ${step#scripts/setup.d/} (skipped: only the tests use it; bash scripts/setup.sh --for-tests)"
    continue
  fi
  echo "==> setup: ${step#scripts/setup.d/}"
  bash "$step"
done
echo "==> setup: done"
