#!/usr/bin/env bash
# setup: tests only
# .venv-spark31: Python 3.8 with requirements-spark31.txt, for the Spark 3.1 lane (scripts/test-spark-lane.sh 3.1).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/lib/lane-venv.sh .venv-spark31 3.8 requirements-spark31.txt "the Spark 3.1 lane (BDC CU13+ runs the job on Python 3.8)"
