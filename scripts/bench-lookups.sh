#!/usr/bin/env bash
# Unary point-lookup throughput and latency through the gateway, gRPC vs REST (keep-alive HTTP/1.1), with K client
# threads over loopback while the processor ingests a trickle of orders. Starts its own embedded broker and pipeline.
#
#   scripts/bench-lookups.sh [orders=200000] [threads=16] [seconds=20] [trickle-per-second=2000]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MVN="${MVN:-./mvnw}"
"$MVN" -q -B -pl tests -am compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
  -Dmdep.includeScope=runtime >/dev/null
CP="tests/target/classes:$(cat tests/target/bench.classpath)"
for m in proto core ingest processor state-server query-gateway app; do CP="$m/target/classes:$CP"; done
exec java ${BENCH_JAVA_OPTS:--Xmx2g} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
  dev.statefront.testkit.LookupBenchmark "$@"
