#!/usr/bin/env bash
# setup: tests only
# .venv-spark24: Python 3.7 with requirements-spark24.txt, for the Spark 2.4 API check (scripts/test-spark-lane.sh 2.4).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/lib/lane-venv.sh .venv-spark24 3.7 requirements-spark24.txt "the Spark 2.4 check (BDC CU9-CU12 run the job on Python 3.7)"
