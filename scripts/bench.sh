#!/usr/bin/env bash
# Statefront measured beside its peers in ONE run, by the shared benchmark (../shared/bench): same broker, same
# seeded orders (Gen), same judge (Probe: catch-up throughput, correctness against the oracle, lookup QPS and
# latency, freshness). Prints the bench's table (medians) and writes its JSON results.
#
# On top of Probe, in the same run (EXTRAS=1, the default; scripts/bench-extras.sh, dev.statefront.testkit.bench):
#   grpc_lookup     Statefront's gRPC QueryService/Get: LOOKUP_THREADS threads, Probe's Zipf keys, QPS and latency
#   scan            every system: pages of 100 rows from random start keys over HTTP keep-alive, pages/s and latency
#   memory          every system: peak RSS (VmHWM) of its JVM over its run
#   freshness_half  every system: Probe's freshness with a background load of half the system's catch-up rate
#                   including start-up, in a second pass after all normal runs (each system relaunched and first
#                   caught up to the topic's end, so the half-load events never run into another system's lookups)
# then a table of Statefront / peer ratios (BenchSummary), also written as results/<stamp>-summary.json.
# EXTRAS=0 runs the shared bench alone; FRESHNESS_HALF=0 skips the second pass. Knobs of the extras: SCAN_THREADS,
# SCAN_SECONDS, GRPC_SECONDS, GRPC_CHANNELS, HALF_MARKERS, HALF_TIMEOUT_S (see scripts/bench-extras.sh);
# SUT_GRPC_PORT (default: the first free port after the REST port).
#
#   scripts/bench.sh                                   # 2,000,000 orders; Statefront, Kafka Streams EOS and ALOS, PostgreSQL
#   SMOKE=1 scripts/bench.sh                           # 200,000 orders, shorter phases
#   EVENTS=500000 REPEATS=2 SYSTEMS="sut streams-eos" scripts/bench.sh
#
# SUT_ARGS adds settings to the Statefront command (e.g. "--set kafka.fetch.max.wait.ms=10"); SUT_CDS=0 launches it
# without its class-data archive (app/target/statefront.jsa, recorded by the build; the launcher uses it too).
# EXTRA_SQL appends statements to the Statefront SQL (more views beside customer_stats).
# Every knob of the shared bench's run-peer.sh works (EVENTS, REPEATS, SYSTEMS, LOOKUP_THREADS, ...); SUT_HEAP sets
# Statefront's heap (default 2g, like the peers' PEER_HEAP). The shared bench is copied to BENCH_WORK (default
# ${TMPDIR:-/tmp}/statefront-bench) because ../shared is read-only; results land in $BENCH_WORK/bench/results/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${BENCH_SOURCE:-$ROOT/../shared/bench}"
WORK="${BENCH_WORK:-${TMPDIR:-/tmp}/statefront-bench}"
export SYSTEMS="${SYSTEMS:-sut streams-eos streams-alos pg}"
SUT_HEAP="${SUT_HEAP:-2g}"
EXTRAS="${EXTRAS:-1}"

[ -d "$SHARED" ] || { echo "bench: no shared benchmark at $SHARED (set BENCH_SOURCE)" >&2; exit 1; }
mkdir -p "$WORK/bench"
# refresh the copy, keeping its build output and results between runs
(cd "$SHARED" && tar --exclude=./target --exclude=./.run --exclude=./results -cf - .) | (cd "$WORK/bench" && tar -xf -)
chmod -R u+w "$WORK/bench"
if [ "$EXTRAS" = 1 ]; then
  # Two hooks in the COPY of run-peer.sh (the shared original is untouched), each a marked block read from a file:
  #  1. inside run_system, right after the Probe line and before the system is stopped: scripts/bench-extras.sh,
  #     given the system's label, base URL, pid file, broker, ...; its phase lines go to the run's phases file;
  #  2. after the loop over repeats (so after every normal run): the second pass for freshness_half, which runs
  #     each system again with Probe's catch-up only (into a side file) and the hook in its "half" mode.
  cat > "$WORK/hook-after-probe.sh" <<'HOOK'
  # [bench.sh] extra measurements before the system is stopped (scripts/bench-extras.sh)
  if [ -n "${AFTER_PROBE:-}" ]; then
    BENCH_SYS="$sys" BENCH_REP="$rep" BENCH_LABEL="$label" BENCH_BASE="$base" BENCH_PID_FILE="$PEER_PID" \
    BENCH_BOOT="$BOOT" BENCH_ALL_PHASES="${ALL_PHASES:-$PHASES}" BENCH_LOOKUP_THREADS="$LOOKUP_THREADS" \
    BENCH_LOOKUP_SECONDS="$LOOKUP_SECONDS" BENCH_MARKERS="$MARKERS" BENCH_PROBE_CP="$(classpath)" \
      "$AFTER_PROBE" 2>>"$WORK/extras-$sys-$rep.log" | tee -a "${ALL_PHASES:-$PHASES}" | cut -c1-220
  fi
HOOK
  cat > "$WORK/hook-second-pass.sh" <<'HOOK'
# [bench.sh] second pass: every system again on the same topic, Probe's catch-up only (into a side file), then
# freshness at half its normal run's catch-up rate including start-up (bench-extras.sh half mode)
if [ -n "${AFTER_PROBE:-}" ] && [ "${FRESHNESS_HALF:-1}" = 1 ]; then
  for rep in $(seq 1 "$REPEATS"); do
    for sys in $SYSTEMS; do
      ALL_PHASES="$PHASES" PHASES="$WORK/pass2-$sys-$rep.ndjson" PROBE_PHASES=catchup BENCH_HOOK_MODE=half \
        run_system "$sys" "$rep-half"
    done
  done
fi
HOOK
  sed -i -e '/2>"$WORK\/probe-$sys-$rep.log" | tee -a "$PHASES"/r '"$WORK/hook-after-probe.sh" \
    -e '/^done$/r '"$WORK/hook-second-pass.sh" "$WORK/bench/run-peer.sh"
  [ "$(grep -c '^ *# \[bench.sh\]' "$WORK/bench/run-peer.sh")" = 2 ] \
    || { echo "bench: the shared run-peer.sh changed, the extras' hooks do not fit (EXTRAS=0 runs without)" >&2
         exit 1; }
fi
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
if [ "$EXTRAS" = 1 ]; then
  # also the tests module (the extras' mains) and its runtime classpath, as scripts/bench-lookups.sh does
  (cd "$ROOT" && ./mvnw -q -B -Dmaven.test.skip=true package dependency:build-classpath -pl app,tests -am \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=runtime >&2)
  BENCH_EXTRAS_CP="$ROOT/tests/target/classes:$(cat "$ROOT/tests/target/bench.classpath")"
  for m in proto core ingest processor state-server query-gateway app; do
    BENCH_EXTRAS_CP="$ROOT/$m/target/classes:$BENCH_EXTRAS_CP"
  done
  export BENCH_EXTRAS_CP AFTER_PROBE="$ROOT/scripts/bench-extras.sh"
else
  (cd "$ROOT" && ./mvnw -q -B -Dmaven.test.skip=true package -pl app -am >&2)
fi
JAR="$(ls "$ROOT"/app/target/statefront-app-*.jar | head -1)"
# Statefront starts as the launcher starts it, with the JVM options of scripts/jvm-options.sh: the class-data archive
# the build recorded next to the jar (SUT_CDS=0 launches without it) and its garbage collector (unless SUT_JAVA_OPTS
# chooses one, e.g. SUT_JAVA_OPTS=-XX:+UseG1GC).
. "$ROOT/scripts/jvm-options.sh"
STATEFRONT_CDS="${SUT_CDS:-1}" STATEFRONT_JAVA_OPTS="${SUT_JAVA_OPTS:-}" statefront_jvm_options "$JAR" "$ROOT/app/target/statefront.jsa" "$ROOT/app/target/lib"
case " ${STATEFRONT_JVM_OPTIONS[*]} " in
  *" -XX:SharedArchiveFile="*) ;;
  *) [ "${SUT_CDS:-1}" = 0 ] \
       || echo "[bench] no up-to-date class-data archive next to $JAR: Statefront starts without it" >&2 ;;
esac
SUT_JVM_OPTS=""
[ "${#STATEFRONT_JVM_OPTIONS[@]}" = 0 ] || SUT_JVM_OPTS="$(printf '%q ' "${STATEFRONT_JVM_OPTIONS[@]}")"

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
# EXTRA_SQL adds views (e.g. one keyed by order_id, for memory with a million distinct keys); catch-up is still
# judged on customer_stats alone
[ -z "${EXTRA_SQL:-}" ] || printf '%s\n' "$EXTRA_SQL" >> "$WORK/customer_stats.sql"

free_port() { # free_port <from>: the first port from <from> up that nothing on 127.0.0.1 listens on
  local p="$1"
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

# Each launch gets a fresh data dir and app id, so repeats start from nothing like the peers do.
export SUT_NAME="${SUT_NAME:-statefront}"
export SUT_BASE="http://127.0.0.1:${SUT_PORT:-18090}"
export SUT_GRPC_PORT="${SUT_GRPC_PORT:-$(free_port $(( ${SUT_PORT:-18090} + 1 )))}"
export SUT_POINT_PATH='/v1/views/customer_stats/rows/{key}'
export SUT_SCAN_PATH='/v1/views/customer_stats/rows?from={from}&limit={limit}'
export SUT_CMD="id=\$(date +%s%N); exec java -Xms$SUT_HEAP -Xmx$SUT_HEAP $SUT_JVM_OPTS ${SUT_JAVA_OPTS:-} -jar '$JAR' run \
  --sql '$WORK/customer_stats.sql' --set kafka.bootstrap.servers=\$BENCH_BOOTSTRAP --set app.id=bench\$id \
  --set data.dir='$WORK/sut-data'/\$id --set rest.host=127.0.0.1 --set rest.port=${SUT_PORT:-18090} \
  --set grpc.port=$SUT_GRPC_PORT ${SUT_ARGS:-}"
export SUT_PROBE_ARGS="--point-path $SUT_POINT_PATH --row-pointer /row \
--range-path $SUT_SCAN_PATH --rows-pointer /rows \
--cursor-pointer /next_cursor --range-next-path /v1/views/customer_stats/rows?limit={limit}&cursor={cursor}"

echo "[bench] systems: $SYSTEMS (Statefront = '$SUT_NAME'); $(nproc) cores" >&2
"$WORK/bench/run-peer.sh" | tee "$WORK/run-peer.out"
rm -rf "$WORK/sut-data"
if [ "$EXTRAS" = 1 ]; then
  RESULTS="$(sed -n 's/^results: //p' "$WORK/run-peer.out" | tail -1)"
  echo
  java -Xmx256m -cp "$BENCH_EXTRAS_CP" dev.statefront.testkit.bench.BenchSummary --results "$RESULTS" --sut "$SUT_NAME"
fi
