#!/usr/bin/env bash
# Maven-resolves the Spark Kafka connector jars (tests: Spark 3.5; artifact: Spark 2.4 and 3.1) into .cache/jars/
# and verifies them against jobs/sensor_aggregation/jars/jars.lock.json. Quick when they are already there.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 jobs/sensor_aggregation/jars/resolve_jars.py
