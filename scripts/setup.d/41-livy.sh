#!/usr/bin/env bash
# Test Apache Livy server: resolves the jars of test/harness/livy/pom.xml into .cache/livy-classpath.txt.
# Spark itself is the PySpark of .venv (20-python.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/maven-classpath.sh
resolve_classpath livy test/harness/livy/pom.xml .cache/livy-classpath.txt
