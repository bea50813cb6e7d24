#!/usr/bin/env bash
# Node dependencies exactly as package-lock.json pins them (`npm ci`: it refuses a lock out of step
# with package.json, and never rewrites it, so setup leaves the work tree clean).
set -euo pipefail
if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] && [ node_modules/.package-lock.json -nt package.json ]; then
  echo "node_modules is up to date"
else
  npm ci --no-fund --no-audit
fi
