#!/usr/bin/env bash
# bench.sh's extra measurements, run inside the shared bench's run_system (bench.sh patches its copy of
# run-peer.sh to call this script right after Probe, before the system is stopped). Prints phase lines shaped like
# Probe's ({"label":...,"phase":...}) on stdout, which run-peer.sh appends to its phases file; logs on stderr.
#
#   BENCH_HOOK_MODE=measure (default; the normal pass, every system):
#     grpc_lookup  Statefront only: unary QueryService/Get, LOOKUP_THREADS threads with a channel (connection) each
#                  like Probe's REST lookups, Probe's Zipf keys (GrpcLookupLoad); GRPC_WARMUP s of warmup, longer
#                  than Probe's 2 s: grpc-java's client JVM keeps JIT-compiling for seconds on a small machine
#     scan         pages of 100 rows from uniformly random start keys over HTTP keep-alive (ScanLoad)
#     memory       peak RSS (VmHWM) of the system's JVM over its whole run so far (ProcessMemory)
#   BENCH_HOOK_MODE=half (bench.sh's second pass, after all normal runs, on a freshly started system):
#     waits until the system has consumed the topic to its end (AwaitTopicEnd), then runs the shared Probe
#     --mode freshness with --bg-rate = half the system's catch-up rate including start-up (events_per_s of its
#     normal run), recorded as phase freshness_half. Not the steady rate (events_per_s_after_first): it counts
#     from the first row, so the records of a system's first commit count but not their time; a system that
#     drains a backlog in a few long transactions (Statefront) would be offered far more than it sustains.
#
# From the patched run-peer.sh: BENCH_SYS BENCH_REP BENCH_LABEL BENCH_BASE BENCH_PID_FILE BENCH_BOOT
#   BENCH_ALL_PHASES BENCH_LOOKUP_THREADS BENCH_LOOKUP_SECONDS BENCH_MARKERS BENCH_PROBE_CP.
# From bench.sh: BENCH_EXTRAS_CP, SUT_GRPC_PORT, SUT_POINT_PATH, SUT_SCAN_PATH, SUT_PROBE_ARGS.
# Knobs: SCAN_THREADS (2) SCAN_SECONDS (5; SMOKE 3) GRPC_SECONDS (LOOKUP_SECONDS) GRPC_CHANNELS (LOOKUP_THREADS)
#   GRPC_WARMUP (15)
#   HALF_MARKERS (MARKERS / 2) HALF_TIMEOUT_S (300: the whole freshness_half phase) DRAIN_TIMEOUT_S (600).
# A failing measurement is logged and skipped: it must not abort the shared run.
set -uo pipefail

: "${BENCH_SYS:?}" "${BENCH_REP:?}" "${BENCH_LABEL:?}" "${BENCH_BASE:?}" "${BENCH_EXTRAS_CP:?}"
MODE="${BENCH_HOOK_MODE:-measure}"
JAVA_CLIENT_OPTS="-Xms256m -Xmx256m -XX:+UseG1GC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn"
PEER_POINT_PATH='/customer_stats/{key}'
PEER_SCAN_PATH='/customer_stats?from={from}&limit={limit}'

log() { echo "[extras] $BENCH_LABEL (rep $BENCH_REP): $*" >&2; }
extra() { # extra <main class> args...: one of dev.statefront.testkit.bench's mains
  local cls="$1"; shift
  # shellcheck disable=SC2086
  java $JAVA_CLIENT_OPTS -cp "$BENCH_EXTRAS_CP" "dev.statefront.testkit.bench.$cls" "$@"
}
skipped() { # skipped <phase> <why>: a line that says so, instead of numbers
  log "$1 skipped: $2"
  printf '{"label":"%s","phase":"%s","skipped":"%s"}\n' "$BENCH_LABEL" "$1" "$2"
}

if [ "$BENCH_SYS" = sut ]; then
  point_path="$SUT_POINT_PATH"; scan_path="$SUT_SCAN_PATH"
else
  point_path="$PEER_POINT_PATH"; scan_path="$PEER_SCAN_PATH"
fi

case "$MODE" in
  measure)
    if [ "$BENCH_SYS" = sut ]; then
      log "gRPC lookups on port $SUT_GRPC_PORT"
      extra GrpcLookupLoad --target "127.0.0.1:$SUT_GRPC_PORT" --label "$BENCH_LABEL" \
        --threads "$BENCH_LOOKUP_THREADS" --channels "${GRPC_CHANNELS:-$BENCH_LOOKUP_THREADS}" \
        --seconds "${GRPC_SECONDS:-$BENCH_LOOKUP_SECONDS}" --warmup "${GRPC_WARMUP:-15}" \
        || log "gRPC lookups failed"
    fi
    log "scans of 100-row pages"
    scan_seconds="${SCAN_SECONDS:-5}"; [ -n "${SMOKE:-}" ] && scan_seconds="${SCAN_SECONDS:-3}"
    extra ScanLoad --base "$BENCH_BASE" --path "$scan_path" --limit 100 --label "$BENCH_LABEL" \
      --threads "${SCAN_THREADS:-2}" --seconds "$scan_seconds" || log "scans failed"
    extra ProcessMemory --pid "$(cat "$BENCH_PID_FILE")" --label "$BENCH_LABEL" || log "memory reading failed"
    ;;
  half)
    rep="${BENCH_REP%-half}"
    # the normal run's catch-up line of this system and repeat (Probe writes it compactly, one per repeat)
    rate="$(grep -F "{\"label\":\"$BENCH_LABEL\",\"phase\":\"catchup\"," "$BENCH_ALL_PHASES" | sed -n "${rep}p" \
      | sed -n 's/.*"events_per_s":\([0-9][0-9]*\).*/\1/p')"
    half=$(( ${rate:-0} / 2 ))
    if [ "$half" -le 0 ]; then skipped freshness_half "no catch-up rate in the normal run"; exit 0; fi
    log "waiting until the topic is consumed to its end"
    if ! extra AwaitTopicEnd --bootstrap "$BENCH_BOOT" --base "$BENCH_BASE" --point-path "$point_path" \
         --label "$BENCH_LABEL" --timeout-s "${DRAIN_TIMEOUT_S:-600}" >&2; then
      skipped freshness_half "backlog not consumed within ${DRAIN_TIMEOUT_S:-600} s"; exit 0
    fi
    probe_extra=(); [ "$BENCH_SYS" = sut ] && read -r -a probe_extra <<<"${SUT_PROBE_ARGS:-}"
    log "freshness at half load: --bg-rate $half (catch-up $rate ev/s including start-up)"
    # shellcheck disable=SC2086
    line="$(timeout "${HALF_TIMEOUT_S:-300}" java $JAVA_CLIENT_OPTS -Xmx512m -cp "$BENCH_PROBE_CP" bench.Probe \
      --label "$BENCH_LABEL" --mode freshness --base "$BENCH_BASE" --bootstrap "$BENCH_BOOT" \
      --markers "${HALF_MARKERS:-$(( BENCH_MARKERS / 2 ))}" --bg-rate "$half" --marker-timeout-ms 10000 \
      "${probe_extra[@]}")"
    case "$line" in
      *'"phase":"freshness"'*) echo "${line/\"phase\":\"freshness\"/\"phase\":\"freshness_half\"}" ;;
      *) skipped freshness_half "Probe gave no result within ${HALF_TIMEOUT_S:-300} s" ;;
    esac
    ;;
  *) log "unknown BENCH_HOOK_MODE '$MODE'" ;;
esac
exit 0
