#!/usr/bin/env bash
# Node dependencies, exactly as locked.
set -euo pipefail
if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "node_modules is up to date"
else
  npm ci --no-fund --no-audit
fi
