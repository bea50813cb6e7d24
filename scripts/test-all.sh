#!/usr/bin/env bash
# Runs every test in two streams at once, each line tagged with its stream:
#   [jest]  jest's two projects on two workers;
#   [spark] pytest on the default lane (PySpark 3.5), then the job's tests on the Spark 3.1 lane, then the Spark 2.4
#           API check (scripts/test-spark-lane.sh).
# At once because the suite waits far more than it computes: one after the other it took 20.5 min of wall time for
# 8 min of CPU on two cores (jest 11 min, the Spark streams 9.5 min). Every port is a free loopback port and every
# work directory a fresh temporary one, so the streams share nothing.
# Every runner always runs; the exit code fails if any failed; the last line adds all their counts up, after one
# per report.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
reports=.tmp/test-reports
rm -rf "$reports" && mkdir -p "$reports"

tagged() { sed -u "s/^/[$1] /"; }
# Interrupted: stop both streams (and the services they started), not only the one in the foreground.
trap 'trap - INT TERM; kill 0' INT TERM

jest_stream() {
  npx jest --ci --maxWorkers=2 --json --outputFile="$reports/jest.json"
}

spark_stream() {
  local status=0
  bash scripts/test-python.sh --junitxml="$reports/pytest.xml" || status=1
  echo "==> the Spark 3.1 lane (PySpark 3.1.3, Python 3.8, Java 11: what BDC CU13+ runs)"
  bash scripts/test-spark-lane.sh 3.1 --junitxml="$reports/pytest-spark31.xml" || status=1
  echo "==> the Spark 2.4 check (PySpark 2.4.8's API, Python 3.7: what BDC CU9-CU12 run)"
  bash scripts/test-spark-lane.sh 2.4 --junitxml="$reports/pytest-spark24.xml" || status=1
  return $status
}

# Each stream's wall time goes beside the reports, for the closing figures.
timed() { local name=$1 start=$SECONDS; shift; "$@"; local rc=$?; echo $((SECONDS - start)) > "$reports/$name.seconds"; return $rc; }

(timed jest jest_stream 2>&1 | tagged jest; exit "${PIPESTATUS[0]}") &
jest_pid=$!
status=0
(timed spark spark_stream 2>&1 | tagged spark; exit "${PIPESTATUS[0]}") || status=1
wait "$jest_pid" || status=1
python3 scripts/lib/sum_test_reports.py "$reports/jest.json" "$reports/pytest.xml" "$reports/pytest-spark31.xml" "$reports/pytest-spark24.xml" || status=1
exit $status
