#!/usr/bin/env bash
# Local Hive metastore database (Apache Derby network server): resolves the jars of test/harness/metastore/pom.xml
# into .cache/metastore-classpath.txt. Skipped when the classpath file is newer than the pom.
set -euo pipefail
cd "$(dirname "$0")/../.."
pom=test/harness/metastore/pom.xml
cp_file=.cache/metastore-classpath.txt
mkdir -p .cache
if [ ! -s "$cp_file" ] || [ "$pom" -nt "$cp_file" ]; then
  echo "metastore: resolving the Apache Derby network server jars with Maven"
  mvn -q -B -f "$pom" dependency:build-classpath -Dmdep.outputFile="$PWD/$cp_file"
fi
echo "metastore: ready"
