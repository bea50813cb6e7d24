#!/usr/bin/env bash
# Jars of the local test Kafka broker: resolves test/harness/kafka/pom.xml with Maven into
# .cache/kafka-classpath.txt, which test/harness/kafka/broker.py reads. Skipped when that file is
# newer than the pom and every jar it names is still in the local Maven repository.
set -euo pipefail
cd "$(dirname "$0")/../.."
pom=test/harness/kafka/pom.xml
out=.cache/kafka-classpath.txt
up_to_date() {
  [ -s "$out" ] && [ "$out" -nt "$pom" ] || return 1
  local jar
  while IFS= read -r jar; do [ -f "$jar" ] || return 1; done < <(tr ':' '\n' < "$out")
}
if up_to_date; then
  echo "Kafka harness classpath is up to date"
  exit 0
fi
mkdir -p .cache
echo "Resolving the Kafka broker jars with Maven (first run downloads them)"
mvn -q -B -Dstyle.color=never -f "$pom" dependency:build-classpath -Dmdep.outputFile="$PWD/$out.tmp"
mv "$out.tmp" "$out"
echo "Kafka harness classpath: $(tr ':' '\n' < "$out" | wc -l) jars"
