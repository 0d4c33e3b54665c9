package dev.statefront.gateway.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.core.CatalogEntry;
import dev.statefront.core.ChangeEvent;
import dev.statefront.core.ChangeEventCodec;
import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.core.Partitions;
import dev.statefront.core.Position;
import dev.statefront.core.ProgressMarker;
import dev.statefront.core.Schema;
import dev.statefront.core.Topics;
import dev.statefront.gateway.query.ViewQueries;
import dev.statefront.gateway.routing.GrpcReplica;
import dev.statefront.gateway.routing.PartitionRouter;
import dev.statefront.proto.v1.GetRequest;
import dev.statefront.proto.v1.GetResponse;
import dev.statefront.proto.v1.Key;
import dev.statefront.proto.v1.QueryServiceGrpc;
import dev.statefront.proto.v1.ScanRequest;
import dev.statefront.proto.v1.ScanResponse;
import dev.statefront.proto.v1.Value;
import dev.statefront.state.grpc.ReplicaServer;
import dev.statefront.state.grpc.ReplicaService;
import dev.statefront.state.server.FeedBatch;
import dev.statefront.state.server.ReadOptions;
import dev.statefront.state.server.ReadResult;
import dev.statefront.state.server.StateServer;
import dev.statefront.state.server.StateServerConfig;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public QueryService over the whole gateway read path on in-process transports: a state server fed directly,
 * its ReplicaService, a GrpcReplica, the router, the shared query path and the gRPC edge.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryGrpcServiceTest {
    private static final String APP = "grpc-unit";
    private static final CatalogEntry PRICES = new CatalogEntry(CatalogEntry.Kind.VIEW, "prices", "CREATE ...",
            Schema.of(List.of(new Column("sku", ColumnType.BIGINT), new Column("at", ColumnType.TIMESTAMP),
                    new Column("price", ColumnType.decimal(10, 2)), new Column("ok", ColumnType.BOOLEAN)),
                    List.of("sku", "at")), Topics.viewChanges(APP, "prices"), 3, List.of("src"), Map.of());

    @TempDir
    static Path dir;
    private StateServer state;
    private ReplicaServer replicaServer;
    private GrpcReplica replica;
    private Server server;
    private ManagedChannel channel;
    private QueryServiceGrpc.QueryServiceBlockingStub stub;

    @BeforeAll
    void start() throws Exception {
        state = new StateServer(new StateServerConfig(null, APP, dir.resolve("state"), Map.of(), Duration.ofSeconds(2)));
        var feed = state.startEmbedded();
        FeedBatch b = new FeedBatch().add(Topics.catalog(APP), 0, 0, PRICES.catalogKey().getBytes(StandardCharsets.UTF_8),
                PRICES.toJson());
        ChangeEventCodec codec = new ChangeEventCodec(APP, PRICES.schema());
        long[] next = new long[3];
        for (long sku = 1; sku <= 40; sku++) {
            Object[] row = {sku, 1_700_000_000_000L + sku, new BigDecimal(sku + ".50"), sku % 2 == 0};
            Object[] key = PRICES.schema().keyOf(row);
            int p = Partitions.forKey(PRICES.schema().keyTypes(), key, 3);
            b.add(PRICES.topic(), p, next[p]++, codec.encodeKey(key),
                    codec.encodeValue(new ChangeEvent(ChangeEvent.Op.CREATE, null, row, 1, "prices", p, Position.EMPTY)));
        }
        for (int p = 0; p < 3; p++) {
            ProgressMarker m = new ProgressMarker("prices", p, next[p], Position.of("src", p, 10), 1000, 1000);
            b.add(Topics.progress(APP), 0, p, m.key(), m.toJson());
        }
        feed.apply(b);
        replicaServer = ReplicaServer.inProcess(state, "unit-replica").start();
        replica = GrpcReplica.inProcess("unit-replica", Duration.ofSeconds(5));
        ViewQueries queries = new ViewQueries(new PartitionRouter(List.of(replica)), Duration.ofSeconds(2));
        server = InProcessServerBuilder.forName("unit-gateway").directExecutor()
                .addService(new QueryGrpcService(queries)).build().start();
        channel = InProcessChannelBuilder.forName("unit-gateway").directExecutor().build();
        stub = QueryServiceGrpc.newBlockingStub(channel);
    }

    @AfterAll
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        replica.close();
        replicaServer.close();
        state.close();
    }

    private QueryServiceGrpc.QueryServiceBlockingStub q() {
        return stub.withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static Key key(long sku, long atMs) {
        return Key.newBuilder().addValues(Value.newBuilder().setInt64Value(sku))
                .addValues(Value.newBuilder().setTimestampValue(ProtoValues.timestamp(atMs))).build();
    }

    @Test
    void shouldAnswerTypedKeysWithTypedRows() {
        GetResponse r = q().get(GetRequest.newBuilder().setView("prices").setKey(key(7, 1_700_000_000_007L)).build());
        assertTrue(r.getFound());
        assertEquals(7, r.getRow().getValues(0).getInt64Value());
        assertEquals(1_700_000_000L, r.getRow().getValues(1).getTimestampValue().getSeconds());
        assertEquals("7.50", r.getRow().getValues(2).getDecimalValue());
        assertFalse(r.getRow().getValues(3).getBoolValue());
        assertEquals(1000, r.getFreshness().getAsOf().getSeconds() * 1000 + r.getFreshness().getAsOf().getNanos() / 1_000_000);
        assertFalse(q().get(GetRequest.newBuilder().setView("prices").setKey(key(7, 1)).build()).getFound());
    }

    @Test
    void shouldPairEveryStreamedReadWithItsOwnAnswerUnderConcurrency() throws Exception {
        // reads without a position go over the replica's pooled GetStream calls: each answer must be its own read's
        assertReadsMatchTheStateServer(replica, 8, 500);
    }

    @Test
    void shouldReuseGetStreamsAndFallBackToGetWhenAStreamFails() throws Exception {
        // the real ReplicaService behind an interceptor that counts the calls it is sent (and may refuse streams)
        for (boolean refuseStreams : new boolean[] {false, true}) {
            CallCounter counter = new CallCounter(refuseStreams);
            String name = "unit-replica-counted-" + refuseStreams;
            Server counted = InProcessServerBuilder.forName(name).directExecutor()
                    .addService(ServerInterceptors.intercept(new ReplicaService(state), counter)).build().start();
            try (GrpcReplica r = GrpcReplica.inProcess(name, Duration.ofSeconds(5))) {
                assertReadsMatchTheStateServer(r, 4, 200);
            } finally {
                counted.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            if (refuseStreams) {
                assertEquals(800, counter.count("Get"), "every read falls back to Get");
            } else {
                assertEquals(0, counter.count("Get"), "no read needs Get");
                int streams = counter.count("GetStream");
                assertTrue(streams >= 1 && streams <= 4, "streams are reused, at most one per thread: " + streams);
            }
        }
    }

    /** Calls per method of the replica service; refuses GetStream calls (UNAVAILABLE) if asked to. */
    private static final class CallCounter implements ServerInterceptor {
        private final boolean refuseStreams;
        private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        CallCounter(boolean refuseStreams) {
            this.refuseStreams = refuseStreams;
        }

        int count(String method) {
            AtomicInteger n = calls.get(method);
            return n == null ? 0 : n.get();
        }

        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                           ServerCallHandler<Q, A> next) {
            String method = call.getMethodDescriptor().getBareMethodName();
            calls.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
            if (refuseStreams && "GetStream".equals(method)) {
                call.close(Status.UNAVAILABLE.withDescription("streams refused by the test"), new Metadata());
                return new ServerCall.Listener<>() { };
            }
            return next.startCall(call, headers);
        }
    }

    /** {@code threads} threads each read {@code reads} keys (some absent) through {@code r} and the state server. */
    private void assertReadsMatchTheStateServer(GrpcReplica r, int threads, int reads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                done.add(pool.submit(() -> {
                    int checked = 0;
                    for (int i = 0; i < reads; i++) {
                        long sku = 1 + (seed * 7L + i) % 45; // 41-45 are absent
                        Object[] key = {sku, 1_700_000_000_000L + sku};
                        ReadResult<Object[]> viaGrpc = r.get(PRICES, key, ReadOptions.NOW);
                        ReadResult<Object[]> direct = state.get("prices", key, ReadOptions.NOW);
                        assertTrue(viaGrpc.isOk(), viaGrpc.message());
                        assertTrue(Arrays.equals(direct.value(), viaGrpc.value()),
                                "sku " + sku + ": " + Arrays.toString(viaGrpc.value()));
                        assertEquals(sku <= 40, viaGrpc.value() != null, "sku " + sku);
                        checked++;
                    }
                    return checked;
                }));
            }
            for (Future<Integer> f : done) {
                assertEquals(reads, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldRejectAKeyValueOfAnotherType() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> q().get(GetRequest.newBuilder()
                .setView("prices").setKey(Key.newBuilder().addValues(Value.newBuilder().setStringValue("7"))
                        .addValues(Value.newBuilder().setInt64Value(1))).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("key[0]") && e.getStatus().getDescription().contains("BIGINT"),
                e.getStatus().getDescription());
    }

    @Test
    void shouldStreamScansInKeyOrderAcrossPartitionsInBatches() {
        List<Long> skus = new ArrayList<>();
        int messages = 0;
        Iterator<ScanResponse> it = q().scan(ScanRequest.newBuilder().setView("prices").setBatchSize(3).build());
        while (it.hasNext()) {
            ScanResponse m = it.next();
            messages++;
            m.getRowsList().forEach(r -> skus.add(r.getValues(0).getInt64Value()));
        }
        assertEquals(40, skus.size());
        assertEquals(14, messages);
        for (int i = 0; i < 40; i++) {
            assertEquals(i + 1, skus.get(i));
        }
        List<Long> prefixed = new ArrayList<>();
        q().scan(ScanRequest.newBuilder().setView("prices").setPrefix(Key.newBuilder()
                .addValues(Value.newBuilder().setInt64Value(12))).build())
                .forEachRemaining(m -> m.getRowsList().forEach(r -> prefixed.add(r.getValues(0).getInt64Value())));
        assertEquals(List.of(12L), prefixed);
    }

    @Test
    void shouldFailAReadThatCannotReachItsPositionWithinTheDeadline() {
        String ahead = Position.of("src", 0, 99).with("src", 1, 99).with("src", 2, 99).token();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub
                .withDeadlineAfter(1000, TimeUnit.MILLISECONDS).get(GetRequest.newBuilder().setView("prices")
                        .setKey(key(7, 1_700_000_000_007L)).setMinPosition(ahead).build()));
        // the server answers ~200 ms before the deadline; on a starved machine the deadline may still win
        assertTrue(e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION
                || e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED, e.getStatus().toString());
    }
}
