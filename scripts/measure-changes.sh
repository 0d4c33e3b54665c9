#!/usr/bin/env bash
# Change-stream delivery latency (order produced -> change received by an SSE subscriber, p50/p99/max) and how many
# concurrent SSE subscribers one gateway holds at a given event rate. Prints a table; not a test.
#   scripts/measure-changes.sh [subscribers,...] [events/s] [seconds]     e.g. scripts/measure-changes.sh 1,100,500 1000 10
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CP_FILE="$(mktemp)"
trap 'rm -f "$CP_FILE"' EXIT
./mvnw -q -B -pl tests -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$CP_FILE" -DskipTests >/dev/null
CP="tests/target/test-classes:tests/target/classes:$(cat "$CP_FILE")"
exec java -Xmx2g -cp "$CP" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  dev.statefront.tests.changes.ChangeStreamBench "${1:-1,100,500}" "${2:-1000}" "${3:-10}"
