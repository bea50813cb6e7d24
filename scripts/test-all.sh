#!/usr/bin/env bash
# Runs every test: jest (both projects, two workers) and pytest side by side, since most of their time is
# spent waiting on JVMs and brokers, not on the two cores. Both always run; the exit code fails if either
# failed. pytest's output is printed when it ends; the last line adds both runners' counts up.
set -uo pipefail
cd "$(dirname "$0")/.."
reports=.tmp/test-reports
rm -rf "$reports" && mkdir -p "$reports"
bash scripts/test-python.sh --junitxml="$reports/pytest.xml" >"$reports/pytest.log" 2>&1 &
pytest_pid=$!
status=0
npx jest --ci --maxWorkers=2 --json --outputFile="$reports/jest.json" || status=1
wait "$pytest_pid" || status=1
echo "---- pytest ($reports/pytest.log)"
cat "$reports/pytest.log"
python3 scripts/lib/sum_test_reports.py "$reports/jest.json" "$reports/pytest.xml" || status=1
exit $status
