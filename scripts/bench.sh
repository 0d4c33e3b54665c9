#!/usr/bin/env bash
# Statefront measured beside its peers in ONE run, by the shared benchmark (../shared/bench): same broker, same
# seeded orders (Gen), same judge (Probe: catch-up throughput, correctness against the oracle, lookup QPS and
# latency, freshness). Prints the bench's table (medians) and writes its JSON results.
#
#   scripts/bench.sh                                   # 2,000,000 orders; Statefront, Kafka Streams EOS and ALOS, PostgreSQL
#   SMOKE=1 scripts/bench.sh                           # 200,000 orders, shorter phases
#   EVENTS=500000 REPEATS=2 SYSTEMS="sut streams-eos" scripts/bench.sh
#
# SUT_ARGS adds settings to the Statefront command (e.g. "--set kafka.fetch.max.wait.ms=10").
# Every knob of the shared bench's run-peer.sh works (EVENTS, REPEATS, SYSTEMS, LOOKUP_THREADS, ...); SUT_HEAP sets
# Statefront's heap (default 2g, like the peers' PEER_HEAP). The shared bench is copied to BENCH_WORK (default
# ${TMPDIR:-/tmp}/statefront-bench) because ../shared is read-only; results land in $BENCH_WORK/bench/results/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${BENCH_SOURCE:-$ROOT/../shared/bench}"
WORK="${BENCH_WORK:-${TMPDIR:-/tmp}/statefront-bench}"
export SYSTEMS="${SYSTEMS:-sut streams-eos streams-alos pg}"
SUT_HEAP="${SUT_HEAP:-2g}"

[ -d "$SHARED" ] || { echo "bench: no shared benchmark at $SHARED (set BENCH_SOURCE)" >&2; exit 1; }
mkdir -p "$WORK/bench"
# refresh the copy, keeping its build output and results between runs
(cd "$SHARED" && tar --exclude=./target --exclude=./.run --exclude=./results -cf - .) | (cd "$WORK/bench" && tar -xf -)
chmod -R u+w "$WORK/bench"
case " $SYSTEMS " in
  *" flink "*) rm -f "$WORK/bench/.mvn/maven.config" ;;
  *) # no Flink peer asked for: skip building it, and satisfy the bench's build check with placeholders
     mkdir -p "$WORK/bench/.mvn" && echo "-Dflink.skip=true" > "$WORK/bench/.mvn/maven.config" ;;
esac
if [ ! -f "$WORK/bench/target/classpath.txt" ] || [ -n "$(find "$WORK/bench/src" "$WORK/bench/pom.xml" -newer "$WORK/bench/target/classpath.txt" 2>/dev/null | head -1)" ]; then
  echo "[bench] building the shared bench" >&2
  mvn -q -B -f "$WORK/bench/pom.xml" package -DskipTests >&2
fi
if [ -f "$WORK/bench/.mvn/maven.config" ]; then
  mkdir -p "$WORK/bench/target/flink"
  [ -f "$WORK/bench/target/flink/classpath.txt" ] || : > "$WORK/bench/target/flink/classpath.txt"
  [ -f "$WORK/bench/target/flink/stream-view-bench-flink-0.1.0.jar" ] || : > "$WORK/bench/target/flink/stream-view-bench-flink-0.1.0.jar"
  touch "$WORK/bench/target/flink/"* "$WORK/bench/target/stream-view-bench-0.1.0.jar"
fi

echo "[bench] building Statefront" >&2
(cd "$ROOT" && ./mvnw -q -B -Dmaven.test.skip=true package -pl app -am >&2)
JAR="$(ls "$ROOT"/app/target/statefront-app-*.jar | head -1)"

# The bench's workload: orders keyed by customer_id, and the view it checks.
cat > "$WORK/customer_stats.sql" <<'SQL'
CREATE SOURCE orders (order_id VARCHAR, customer_id VARCHAR, region VARCHAR, amount_cents BIGINT,
                      currency VARCHAR, status VARCHAR, ts TIMESTAMP)
  WITH (topic = 'orders', format = 'json', timestamp = 'ts', key = 'customer_id');
CREATE MATERIALIZED VIEW customer_stats AS
  SELECT customer_id, COUNT(*) AS order_count, SUM(amount_cents) AS total_cents,
         MAX(amount_cents) AS max_cents, MAX(ts) AS last_ts
  FROM orders WHERE status = 'placed' GROUP BY customer_id;
SQL

# Each launch gets a fresh data dir and app id, so repeats start from nothing like the peers do.
export SUT_NAME="${SUT_NAME:-statefront}"
export SUT_BASE="http://127.0.0.1:${SUT_PORT:-18090}"
export SUT_CMD="id=\$(date +%s%N); exec java -Xms$SUT_HEAP -Xmx$SUT_HEAP -XX:+UseG1GC ${SUT_JAVA_OPTS:-} -jar '$JAR' run \
  --sql '$WORK/customer_stats.sql' --set kafka.bootstrap.servers=\$BENCH_BOOTSTRAP --set app.id=bench\$id \
  --set data.dir='$WORK/sut-data'/\$id --set rest.host=127.0.0.1 --set rest.port=${SUT_PORT:-18090} ${SUT_ARGS:-}"
export SUT_PROBE_ARGS="--point-path /v1/views/customer_stats/rows/{key} --row-pointer /row \
--range-path /v1/views/customer_stats/rows?from={from}&limit={limit} --rows-pointer /rows \
--cursor-pointer /next_cursor --range-next-path /v1/views/customer_stats/rows?limit={limit}&cursor={cursor}"

echo "[bench] systems: $SYSTEMS (Statefront = '$SUT_NAME'); $(nproc) cores" >&2
"$WORK/bench/run-peer.sh"
rm -rf "$WORK/sut-data"
