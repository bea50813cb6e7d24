#!/usr/bin/env bash
# Creates a Spark lane's venv with the Python that lane's BDC release runs, and installs its requirements.
#   bash scripts/lib/lane-venv.sh <venv dir> <python major.minor> <requirements file> <why, for messages>
# The Python is taken from PYTHON<major><minor> (e.g. PYTHON38), python<major.minor> on PATH, or pyenv; without
# it, it stops and says what to install, creating nothing. Idempotent: a stamp with the requirements' sha256.
set -euo pipefail
venv=$1 version=$2 requirements=$3 why=$4
override_var="PYTHON${version/./}"
is_wanted_python() { "$1" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$version'.split('.'))))" >/dev/null 2>&1; }
find_python() {
  local candidates=("${!override_var:-}" "$(command -v "python$version" || true)")
  # pyenv's shim on PATH fails unless that version is selected; its own install works.
  if command -v pyenv >/dev/null 2>&1; then candidates+=("$(pyenv root)"/versions/"$version"*/bin/"python$version"); fi
  local candidate
  for candidate in "${candidates[@]}"; do
    if [ -n "$candidate" ] && is_wanted_python "$candidate"; then echo "$candidate"; return; fi
  done
}
if [ ! -x "$venv/bin/python" ]; then
  python=$(find_python)
  if [ -z "$python" ]; then
    echo "setup: $why needs Python $version, and none was found:" >&2
    echo "setup: install it (e.g. 'pyenv install $version') or set $override_var=/path/to/python$version, then run setup again" >&2
    echo "setup: only the tests use this lane; \`npm start\` does not: 'bash scripts/setup.sh' (without --for-tests) skips it" >&2
    exit 1
  fi
  echo "creating $venv with $("$python" --version)"
  "$python" -m venv "$venv"
fi
stamp=$venv/.requirements.sha256
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "python ($why): $venv up to date"
  exit 0
fi
echo "python ($why): installing $requirements into $venv (the first run downloads PySpark, ~210 MB)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
echo "$want" > "$stamp"
echo "python ($why): done"
