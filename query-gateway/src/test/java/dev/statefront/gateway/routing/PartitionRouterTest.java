package dev.statefront.gateway.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import dev.statefront.state.server.FeedBatch;
import dev.statefront.state.server.ReadOptions;
import dev.statefront.state.server.ReadResult;
import dev.statefront.state.server.ReadStatus;
import dev.statefront.state.server.StateFeed;
import dev.statefront.state.server.StateServer;
import dev.statefront.state.server.StateServerConfig;
import dev.statefront.state.server.ViewDescription;
import dev.statefront.state.server.ViewRow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionRouterTest {
    static final String APP = "r";
    static final Schema SCHEMA = Schema.of(List.of(new Column("id", ColumnType.BIGINT),
            new Column("v", ColumnType.VARCHAR)), List.of("id"));
    static final CatalogEntry VIEW = new CatalogEntry(CatalogEntry.Kind.VIEW, "v", "sql", SCHEMA,
            Topics.viewChanges(APP, "v"), 4, List.of("s"), Map.of());

    @TempDir
    Path dir;

    static ViewRow row(int key) {
        return new ViewRow(new byte[] {(byte) key}, new Object[] {(long) key});
    }

    @Test
    void shouldMergeSortedListsByKeyBytesUpToTheLimitKeepingDuplicatesOnce() {
        List<List<ViewRow>> lists = List.of(List.of(row(1), row(4), row(9)), List.of(row(2), row(4), row(200)),
                List.of(), List.of(row(3)));
        List<ViewRow> merged = PartitionRouter.mergeByKey(lists, 10);
        assertEquals(List.of(1, 2, 3, 4, 9, 200), merged.stream().map(r -> r.key()[0] & 0xFF).toList());
        assertEquals(3, PartitionRouter.mergeByKey(lists, 3).size());
    }

    /** A replica serving only some partitions of a full local store, as a gRPC replica of a subset would. */
    static StateReplica restricted(StateServer server, Set<Integer> partitions, String id) {
        LocalStateReplica local = new LocalStateReplica(server);
        return new StateReplica() {
            public String id() { return id; }
            public boolean inProcess() { return true; }
            public boolean serving() { return local.serving(); }
            public String status() { return local.status(); }
            public Set<Integer> servedPartitions(String view) { return partitions; }
            public ReadResult<List<CatalogEntry>> views() { return local.views(); }
            public ReadResult<List<CatalogEntry>> sources() { return local.sources(); }
            public ReadResult<CatalogEntry> view(String name) { return local.view(name); }
            public ReadResult<CatalogEntry> source(String name) { return local.source(name); }
            public ReadResult<ViewDescription> describe(String view, ReadOptions o) { return local.describe(view, o); }
            public ReadResult<Object[]> get(CatalogEntry view, Object[] key, ReadOptions o) {
                assertTrue(partitions.contains(Partitions.forKey(SCHEMA.keyTypes(), key, 4)), id + " got a foreign key");
                return local.get(view, key, o);
            }
            public ReadResult<List<Object[]>> batchGet(CatalogEntry view, List<Object[]> keys, ReadOptions o) {
                return local.batchGet(view, keys, o);
            }
            public ReadResult<List<ViewRow>> scan(CatalogEntry view, byte[] f, byte[] t, int limit, Set<Integer> parts,
                                                  ReadOptions o) {
                return local.scan(view, f, t, limit, parts == null ? partitions : parts, o);
            }
        };
    }

    StateServer serverWithRows(String name, int rows, long markerOffset) {
        StateServer s = new StateServer(new StateServerConfig(null, APP, dir.resolve(name)));
        StateFeed feed = s.startEmbedded();
        FeedBatch b = new FeedBatch().add(Topics.catalog(APP), 0, 0, "view:v".getBytes(StandardCharsets.UTF_8),
                VIEW.toJson());
        ChangeEventCodec codec = new ChangeEventCodec(APP, SCHEMA);
        long[] next = new long[4];
        for (long k = 0; k < rows; k++) {
            Object[] r = {k * 7 % 101, "x" + k};
            int p = Partitions.forKey(SCHEMA.keyTypes(), new Object[] {r[0]}, 4);
            b.add(VIEW.topic(), p, next[p]++, codec.encodeKey(new Object[] {r[0]}),
                    codec.encodeValue(new ChangeEvent(ChangeEvent.Op.CREATE, null, r, 1, "v", p, Position.EMPTY)));
        }
        feed.apply(b);
        FeedBatch markers = new FeedBatch();
        for (int p = 0; p < 4; p++) {
            ProgressMarker m = new ProgressMarker("v", p, next[p], Position.of("s", p, markerOffset + p), 1000 + p, 0);
            markers.add(Topics.progress(APP), 0, p, m.key(), m.toJson());
        }
        feed.apply(markers);
        return s;
    }

    @Test
    void shouldFanScansOutToTheReplicasOfEachPartitionAndMergeInKeyOrder() {
        try (StateServer a = serverWithRows("a", 101, 10); StateServer b = serverWithRows("b", 101, 10)) {
            PartitionRouter router = new PartitionRouter(List.of(restricted(a, Set.of(0, 1), "a"),
                    restricted(b, Set.of(2, 3), "b")));
            ReadResult<List<ViewRow>> all = router.scan(VIEW, null, null, 1000, ReadOptions.NOW);
            assertEquals(ReadStatus.OK, all.status(), all.message());
            List<Long> keys = all.value().stream().map(r -> (Long) r.row()[0]).toList();
            assertEquals(new ArrayList<>(new TreeSet<>(keys)), keys);
            assertEquals(101, keys.size());
            for (int p = 0; p < 4; p++) {
                assertEquals(10 + p, all.position().offset("s", p));
            }
            assertEquals(1000, all.freshness().asOfMs());
            assertEquals(10, router.scan(VIEW, null, null, 10, ReadOptions.NOW).value().size());

            for (long k = 0; k < 101; k++) {
                ReadResult<Object[]> r = router.get(VIEW, new Object[] {k}, ReadOptions.NOW);
                assertEquals(k, r.value()[0]);
            }
            List<Object[]> keysToGet = List.of(new Object[] {5L}, new Object[] {500L}, new Object[] {6L},
                    new Object[] {7L});
            ReadResult<List<Object[]>> batch = router.batchGet(VIEW, keysToGet, ReadOptions.NOW);
            assertEquals(5L, batch.value().get(0)[0]);
            assertNull(batch.value().get(1));
            assertEquals(6L, batch.value().get(2)[0]);
            assertEquals(7L, batch.value().get(3)[0]);

            ReadResult<ViewDescription> d = router.describe(VIEW, ReadOptions.NOW);
            assertEquals(101, d.value().rowCount());
            assertEquals(4, d.value().partitions().size());
        }
    }

    /** A replica that says it serves, but whose every read of view rows answers UNAVAILABLE, counting the calls. */
    static StateReplica failing(StateServer server, Set<Integer> partitions, String id, int[] calls) {
        StateReplica inner = restricted(server, partitions, id);
        ReadResult<?> down = ReadResult.failure(ReadStatus.UNAVAILABLE, id + " is down");
        return new StateReplica() {
            public String id() { return id; }
            public boolean inProcess() { return true; }
            public boolean serving() { return true; }
            public String status() { return "DOWN"; }
            public Set<Integer> servedPartitions(String view) { return partitions; }
            public ReadResult<List<CatalogEntry>> views() { return inner.views(); }
            public ReadResult<List<CatalogEntry>> sources() { return inner.sources(); }
            public ReadResult<CatalogEntry> view(String name) { return inner.view(name); }
            public ReadResult<CatalogEntry> source(String name) { return inner.source(name); }
            @SuppressWarnings("unchecked")
            public ReadResult<ViewDescription> describe(String view, ReadOptions o) {
                calls[0]++;
                return (ReadResult<ViewDescription>) down;
            }
            @SuppressWarnings("unchecked")
            public ReadResult<Object[]> get(CatalogEntry view, Object[] key, ReadOptions o) {
                calls[0]++;
                return (ReadResult<Object[]>) down;
            }
            @SuppressWarnings("unchecked")
            public ReadResult<List<Object[]>> batchGet(CatalogEntry view, List<Object[]> keys, ReadOptions o) {
                calls[0]++;
                return (ReadResult<List<Object[]>>) down;
            }
            @SuppressWarnings("unchecked")
            public ReadResult<List<ViewRow>> scan(CatalogEntry view, byte[] f, byte[] t, int limit, Set<Integer> parts,
                                                  ReadOptions o) {
                calls[0]++;
                return (ReadResult<List<ViewRow>>) down;
            }
        };
    }

    @Test
    void shouldFailOverEveryReadToTheNextReplicaOfTheSamePartitions() {
        try (StateServer a = serverWithRows("a", 101, 10); StateServer b = serverWithRows("b", 101, 10)) {
            int[] calls = {0};
            // a serves partitions 0-1 and is down; b serves all four
            PartitionRouter router = new PartitionRouter(List.of(failing(a, Set.of(0, 1), "a", calls),
                    restricted(b, Set.of(0, 1, 2, 3), "b")));
            ReadResult<List<ViewRow>> all = router.scan(VIEW, null, null, 1000, ReadOptions.NOW);
            assertEquals(ReadStatus.OK, all.status(), all.message());
            assertEquals(101, all.value().size());
            assertEquals(10, all.position().offset("s", 0));
            for (long k = 0; k < 101; k++) {
                assertEquals(k, router.get(VIEW, new Object[] {k}, ReadOptions.NOW).value()[0]);
            }
            List<Object[]> keys = new ArrayList<>();
            for (long k = 0; k < 101; k++) {
                keys.add(new Object[] {k});
            }
            ReadResult<List<Object[]>> batch = router.batchGet(VIEW, keys, ReadOptions.NOW);
            assertEquals(ReadStatus.OK, batch.status(), batch.message());
            for (int k = 0; k < 101; k++) {
                assertEquals((long) k, batch.value().get(k)[0]);
            }
            ReadResult<ViewDescription> d = router.describe(VIEW, ReadOptions.NOW);
            assertEquals(ReadStatus.OK, d.status(), d.message());
            assertEquals(101, d.value().rowCount());
            assertEquals(4, d.value().partitions().size());
            assertTrue(calls[0] > 0, "the down replica was asked first");

            // with b gone too, the partitions only a served answer a's failure
            PartitionRouter onlyDown = new PartitionRouter(List.of(failing(a, Set.of(0, 1), "a", calls),
                    restricted(b, Set.of(2, 3), "b")));
            ReadResult<List<ViewRow>> part = onlyDown.scan(VIEW, null, null, 1000, ReadOptions.NOW);
            assertEquals(ReadStatus.UNAVAILABLE, part.status());
            assertTrue(part.message().contains("a is down"), part.message());
            assertEquals(ReadStatus.UNAVAILABLE, onlyDown.batchGet(VIEW, keys, ReadOptions.NOW).status());
            assertEquals(ReadStatus.UNAVAILABLE, onlyDown.describe(VIEW, ReadOptions.NOW).status());
        }
    }

    @Test
    void shouldAnswerUnavailableWithoutReplicas() {
        PartitionRouter none = new PartitionRouter(List.of());
        assertEquals(ReadStatus.UNAVAILABLE, none.views().status());
        assertEquals(ReadStatus.UNAVAILABLE, none.get(VIEW, new Object[] {1L}, ReadOptions.NOW).status());
        assertEquals(false, none.serving());
    }

    @Test
    void shouldAnswerUnavailableForAPartitionNoReplicaServes() {
        try (StateServer a = serverWithRows("a", 10, 1)) {
            PartitionRouter router = new PartitionRouter(List.of(restricted(a, Set.of(0, 1), "a")));
            ReadResult<List<ViewRow>> r = router.scan(VIEW, null, null, 10, ReadOptions.NOW);
            assertEquals(ReadStatus.UNAVAILABLE, r.status());
            assertTrue(r.message().contains("[2, 3]"), r.message());
        }
    }
}
