#!/usr/bin/env bash
# setup: tests only
# Go-built tools the tests run: actionlint lints .github/workflows/ (test/ci/actionlint.spec.ts).
# Installed into .cache/bin/ of the repo at a pinned version; a second run only checks the version.
set -euo pipefail
cd "$(dirname "$0")/../.."

ACTIONLINT_VERSION="v1.7.12"
bin_dir="$PWD/.cache/bin"
actionlint="$bin_dir/actionlint"

if [ -x "$actionlint" ] && [ "$("$actionlint" -version | head -n 1)" = "$ACTIONLINT_VERSION" ]; then
  echo "actionlint $ACTIONLINT_VERSION is installed"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "error: 'go' is not on PATH; it is needed to install actionlint $ACTIONLINT_VERSION (Go 1.25 or later)" >&2
  exit 1
fi

mkdir -p "$bin_dir"
echo "installing actionlint $ACTIONLINT_VERSION into .cache/bin (go install, a few seconds) ..."
GOBIN="$bin_dir" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
"$actionlint" -version | head -n 1
