#!/usr/bin/env bash
# Writes the cluster kubeconfig from the protected secret in $KUBECONFIG_CONTENT to a private
# temp file (mode 600) and prints its path. The secret arrives through the environment, never
# on a command line; the file lives in the job's temp dir and is removed by remove-kubeconfig.sh.
#   usage: path="$(bash scripts/ci/write-kubeconfig.sh)"
set -euo pipefail

if [ -z "${KUBECONFIG_CONTENT:-}" ]; then
  echo "error: KUBECONFIG_CONTENT is empty; map the environment's protected kubeconfig secret into it" >&2
  exit 1
fi

# RUNNER_TEMP (GitHub) and AGENT_TEMPDIRECTORY (Azure Pipelines) are wiped after each job.
tmp_root="${RUNNER_TEMP:-${AGENT_TEMPDIRECTORY:-${TMPDIR:-/tmp}}}"
umask 077
dir="$(mktemp -d "$tmp_root/kube.XXXXXXXX")"
file="$dir/config"
printf '%s' "$KUBECONFIG_CONTENT" > "$file"
chmod 600 "$file"

if ! grep -q '^kind: *Config' "$file" && ! grep -q '"kind": *"Config"' "$file"; then
  rm -rf "$dir"
  echo "error: KUBECONFIG_CONTENT is not a kubeconfig (no 'kind: Config'); store the file's text, not base64" >&2
  exit 1
fi
echo "$file"
