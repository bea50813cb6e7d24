#!/usr/bin/env bash
# Test HDFS (MiniDFSCluster + WebHDFS): resolves the Hadoop jars of test/harness/hdfs/pom.xml into
# .cache/hdfs-classpath.txt and compiles the harness main against them. Skipped when both are newer than their inputs.
set -euo pipefail
cd "$(dirname "$0")/../.."
pom=test/harness/hdfs/pom.xml
src=test/harness/hdfs/MiniHdfs.java
cp_file=.cache/hdfs-classpath.txt
classes=.cache/hdfs-classes
mkdir -p .cache
if [ ! -s "$cp_file" ] || [ "$pom" -nt "$cp_file" ]; then
  echo "hdfs: resolving Hadoop minicluster jars with Maven (first run downloads ~100 MB)"
  mvn -q -B -f "$pom" dependency:build-classpath -Dmdep.outputFile="$PWD/$cp_file"
fi
if [ ! -f "$classes/MiniHdfs.class" ] || [ "$src" -nt "$classes/MiniHdfs.class" ] || [ "$cp_file" -nt "$classes/MiniHdfs.class" ]; then
  echo "hdfs: compiling $src"
  mkdir -p "$classes"
  javac -nowarn -d "$classes" -cp "$(cat "$cp_file")" "$src"
fi
echo "hdfs: ready"
