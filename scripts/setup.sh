#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine; idempotent, so a second run is quick.
# Each concern has its own script in scripts/setup.d/, run in name order.
set -euo pipefail
cd "$(dirname "$0")/.."
for step in scripts/setup.d/*.sh; do
  echo "==> setup: ${step#scripts/setup.d/}"
  bash "$step"
done
echo "==> setup: done"
