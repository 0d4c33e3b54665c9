/**
 * Measurements {@code scripts/bench.sh} adds to the shared benchmark's run, for Statefront and every peer in the
 * same invocation: gRPC point lookups ({@link dev.statefront.testkit.bench.GrpcLookupLoad}), 100-row range-scan
 * pages over HTTP ({@link dev.statefront.testkit.bench.ScanLoad}), peak resident memory
 * ({@link dev.statefront.testkit.bench.ProcessMemory}), a wait until a system has consumed its input topic to the
 * end ({@link dev.statefront.testkit.bench.AwaitTopicEnd}), and the Statefront-vs-peer ratio table
 * ({@link dev.statefront.testkit.bench.BenchSummary}).
 *
 * <p>Every main prints one JSON line per phase on stdout, shaped like the shared bench's Probe lines
 * ({@code {"label":"statefront","phase":"grpc_lookup",...}}), so the shared Report keeps them in its results.
 */
package dev.statefront.testkit.bench;
