#!/usr/bin/env bash
# Runs every test: TypeScript (jest) then Python (pytest). Both always run; the exit code fails if either
# failed. The last line adds both runners' counts up, so one line tells the whole result.
set -uo pipefail
cd "$(dirname "$0")/.."
reports=.tmp/test-reports
rm -rf "$reports" && mkdir -p "$reports"
status=0
npx jest --ci --json --outputFile="$reports/jest.json" || status=1
bash scripts/test-python.sh --junitxml="$reports/pytest.xml" || status=1
python3 scripts/lib/sum_test_reports.py "$reports/jest.json" "$reports/pytest.xml" || status=1
exit $status
