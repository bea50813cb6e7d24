#!/usr/bin/env bash
# Runs every test: jest (both projects, two workers: most of their time is JVMs starting and waiting) and
# then pytest. pytest runs after jest, not beside it: under that much CPU contention the kill-mid-batch test
# once found the killed batch's rows twice (see the closing note of this change), and the data-safety tests
# must run as they were proven. Both always run; the exit code fails if either failed; the last line adds
# both runners' counts up.
set -uo pipefail
cd "$(dirname "$0")/.."
reports=.tmp/test-reports
rm -rf "$reports" && mkdir -p "$reports"
status=0
npx jest --ci --maxWorkers=2 --json --outputFile="$reports/jest.json" || status=1
bash scripts/test-python.sh --junitxml="$reports/pytest.xml" || status=1
python3 scripts/lib/sum_test_reports.py "$reports/jest.json" "$reports/pytest.xml" || status=1
exit $status
