#!/usr/bin/env bash
# Validates every synthesized stack against the real provider schemas (which only a pipeline can
# download): `terraform init -backend=false` then `terraform validate` in each stack directory.
# Runs them all, then fails naming every stack that did not validate.
#   usage: bash scripts/ci/validate-stacks.sh [cdktf.out/stacks]
set -euo pipefail
root="${1:-cdktf.out/stacks}"
shopt -s nullglob
stacks=("$root"/*/)
if [ ${#stacks[@]} -eq 0 ]; then
  echo "validate-stacks: no stack under $root (run npm run synth first)" >&2
  exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
for dir in "${stacks[@]}"; do
  stack=$(basename "$dir")
  echo "validate-stacks: $stack"
  # init's progress only when it fails; validate's verdict always.
  if ! (cd "$dir" && { terraform init -backend=false -input=false -no-color > "$log" 2>&1 || { cat "$log"; exit 1; }; } && terraform validate -no-color); then
    failed+=("$stack")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "validate-stacks: terraform validate failed for: ${failed[*]}" >&2
  exit 1
fi
echo "validate-stacks: ${#stacks[@]} stack(s) valid"
