#!/usr/bin/env bash
# Local Hive metastore database (Apache Derby network server): resolves the jars of test/harness/metastore/pom.xml
# into .cache/metastore-classpath.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/maven-classpath.sh
resolve_classpath metastore test/harness/metastore/pom.xml .cache/metastore-classpath.txt
