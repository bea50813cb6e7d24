# Sourced by scripts/setup.d/: resolve_classpath <name> <pom> <classpath file> resolves the pom's dependencies into
# a classpath file with Maven, skipped when that file is newer than the pom (nothing is built).
resolve_classpath() {
  local name=$1 pom=$2 cp_file=$3
  mkdir -p "$(dirname "$cp_file")"
  if [ ! -s "$cp_file" ] || [ "$pom" -nt "$cp_file" ]; then
    echo "$name: resolving the jars of $pom with Maven"
    mvn -q -B -f "$pom" dependency:build-classpath -Dmdep.outputFile="$PWD/$cp_file"
  fi
  echo "$name: ready"
}
