#!/usr/bin/env bash
# The Spark lanes' interpreters on a CI runner: Python 3.8 (Spark 3.1) and 3.7 (Spark 2.4), built by pyenv.
# Why pyenv: the hosted ubuntu-24.04 images' tool cache (what actions/setup-python and UsePythonVersion read)
# has no 3.7, and actionlint cannot see that; pyenv builds any version from source on any runner.
# Prints PYTHON38=... and PYTHON37=... lines (what scripts/lib/lane-venv.sh reads) on stdout, all else on stderr.
# PYENV_ROOT (default ~/.pyenv-lanes) is what the pipelines cache; a second run only checks it.
#   bash scripts/ci/lane-pythons.sh >> "$GITHUB_ENV"
set -euo pipefail
PYENV_VERSION_TAG="v2.6.30"  # pyenv's release; it also fixes which 3.8.x and 3.7.x "3.8" and "3.7" mean
LANE_VERSIONS=(3.8 3.7)
export PYENV_ROOT="${PYENV_ROOT:-$HOME/.pyenv-lanes}"

if [ ! -x "$PYENV_ROOT/bin/pyenv" ]; then
  echo "lane-pythons: installing pyenv $PYENV_VERSION_TAG into $PYENV_ROOT" >&2
  git clone --quiet --depth 1 --branch "$PYENV_VERSION_TAG" https://github.com/pyenv/pyenv.git "$PYENV_ROOT" >&2
fi
pyenv="$PYENV_ROOT/bin/pyenv"

for version in "${LANE_VERSIONS[@]}"; do
  if ! compgen -G "$PYENV_ROOT/versions/$version.*/bin/python$version" >/dev/null; then
    if command -v apt-get >/dev/null 2>&1 && [ -z "${LANE_PYTHONS_NO_APT:-}" ]; then
      # The headers CPython's build needs (pyenv's wiki list); quick when the image already has them.
      sudo apt-get install -y -qq build-essential libssl-dev zlib1g-dev libbz2-dev libreadline-dev libsqlite3-dev \
        libncursesw5-dev xz-utils tk-dev libxml2-dev libxmlsec1-dev libffi-dev liblzma-dev >&2
    fi
    echo "lane-pythons: building Python $version with pyenv (a few minutes; cached afterwards)" >&2
    "$pyenv" install --skip-existing "$version" >&2
  fi
  found=("$PYENV_ROOT"/versions/"$version".*/bin/python"$version")
  echo "PYTHON${version/./}=${found[-1]}"
done
