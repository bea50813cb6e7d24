#!/usr/bin/env bash
# Creates the project venv .venv and installs requirements-dev.txt into it.
# Idempotent: a stamp holding the requirements' sha256 skips pip when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv with $($python --version)"
  "$python" -m venv .venv
fi
stamp=.venv/.requirements-dev.sha256
want=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "python: .venv up to date"
  exit 0
fi
echo "python: installing requirements-dev.txt into .venv (first run downloads PySpark, ~320 MB)"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
echo "$want" > "$stamp"
echo "python: done"
