#!/usr/bin/env bash
# Node dependencies at the versions package-lock.json pins.
# `npm install` rather than `npm ci`: the registry served here lists only this platform's builds of
# native packages (swc, esbuild), so the lock lacks the other platforms' optional entries and `npm ci`
# refuses it as out of sync; `npm install` still installs exactly the locked versions.
set -euo pipefail
if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] && [ node_modules/.package-lock.json -nt package.json ]; then
  echo "node_modules is up to date"
else
  npm install --no-fund --no-audit
fi
