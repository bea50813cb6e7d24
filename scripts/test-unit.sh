#!/usr/bin/env bash
# The fast tier: jest's `unit` project, with every tool but Node hidden behind shims that fail, so a unit spec
# that reaches for Java, Python, Maven, Go or Terraform fails here instead of passing only on a full machine.
# Needs only `npm ci`. Extra arguments go to jest (before --selectProjects, which takes every name after it).
# Two workers, as the full run uses: jest's default on two cores is one, and most unit specs wait on child
# processes (tsx, the CLIs), so the second halves the tier's time (94 s to 54 s here).
set -euo pipefail
cd "$(dirname "$0")/.."
shims=.tmp/unit-tier-bin
mkdir -p "$shims"
for tool in java javac jar keytool python python3 pip pip3 mvn go terraform hdfs spark-submit; do
  printf '#!/bin/sh\necho "%s: not available on the unit tier (Node only)" >&2\nexit 127\n' "$tool" >"$shims/$tool"
  chmod +x "$shims/$tool"
done
PATH="$PWD/$shims:$PATH" exec node node_modules/.bin/jest --ci --maxWorkers=2 "$@" --selectProjects unit
