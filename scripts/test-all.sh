#!/usr/bin/env bash
# Runs every test: jest (both projects, two workers: most of their time is JVMs starting and waiting), then
# pytest on the default lane (PySpark 3.5), then the job's tests on the Spark 3.1 lane
# and the Spark 2.4 API check (scripts/test-spark-lane.sh). One after the other: two cores run two workers, and
# the timing-bound tests (kill mid-batch, stuck detection, start graces) are proven at that load. Every runner
# always runs; the exit code fails if any failed; the last line adds all their counts up, after one per report.
set -uo pipefail
cd "$(dirname "$0")/.."
reports=.tmp/test-reports
rm -rf "$reports" && mkdir -p "$reports"
status=0
npx jest --ci --maxWorkers=2 --json --outputFile="$reports/jest.json" || status=1
bash scripts/test-python.sh --junitxml="$reports/pytest.xml" || status=1
echo "==> the Spark 3.1 lane (PySpark 3.1.3, Python 3.8, Java 11: what BDC CU13+ runs)"
bash scripts/test-spark-lane.sh 3.1 --junitxml="$reports/pytest-spark31.xml" || status=1
echo "==> the Spark 2.4 check (PySpark 2.4.8's API, Python 3.7: what BDC CU9-CU12 run)"
bash scripts/test-spark-lane.sh 2.4 --junitxml="$reports/pytest-spark24.xml" || status=1
python3 scripts/lib/sum_test_reports.py "$reports/jest.json" "$reports/pytest.xml" "$reports/pytest-spark31.xml" "$reports/pytest-spark24.xml" || status=1
exit $status
