#!/usr/bin/env bash
# Removes the kubeconfig written by write-kubeconfig.sh (self-hosted agents keep their temp dirs).
#   usage: bash scripts/ci/remove-kubeconfig.sh "$KUBE_CONFIG_PATH"
set -euo pipefail
file="${1:-}"
if [ -n "$file" ] && [ -f "$file" ]; then
  rm -rf "$(dirname "$file")"
  echo "removed the kubeconfig"
fi
