#!/usr/bin/env bash
# setup: tests only
# Builds test/stacks/bdc-hcl-template (HashiCorp's HCL template parser, pinned in its go.mod) into
# .cache/bin/: the bdc stack's tests check with it that ConfigMap text survives Terraform verbatim.
# A second run only compares the sources' checksum with the one recorded at the last build.
set -euo pipefail
cd "$(dirname "$0")/../.."

src="test/stacks/bdc-hcl-template"
bin_dir="$PWD/.cache/bin"
tool="$bin_dir/bdc-hcl-template"
stamp="$tool.sha256"
sum="$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -d' ' -f1)"

if [ -x "$tool" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
  echo "bdc-hcl-template is built"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "error: 'go' is not on PATH; it is needed to build $src (Go 1.21 or later)" >&2
  exit 1
fi

mkdir -p "$bin_dir"
echo "building bdc-hcl-template into .cache/bin (go build, a few seconds) ..."
(cd "$src" && go build -o "$tool" .)
echo "$sum" > "$stamp"
