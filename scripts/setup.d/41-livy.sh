#!/usr/bin/env bash
# Test Apache Livy server: resolves the jars of test/harness/livy/pom.xml into .cache/livy-classpath.txt.
# Skipped when the classpath file is newer than the pom. Spark itself is the PySpark of .venv (20-python.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
pom=test/harness/livy/pom.xml
cp_file=.cache/livy-classpath.txt
mkdir -p .cache
if [ ! -s "$cp_file" ] || [ "$pom" -nt "$cp_file" ]; then
  echo "livy: resolving Apache Livy server jars with Maven"
  mvn -q -B -f "$pom" dependency:build-classpath -Dmdep.outputFile="$PWD/$cp_file"
fi
echo "livy: ready"
