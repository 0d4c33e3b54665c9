package dev.statefront.state.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.core.CatalogEntry;
import dev.statefront.core.ChangeEvent;
import dev.statefront.core.ChangeEventCodec;
import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.core.KeyCodec;
import dev.statefront.core.Partitions;
import dev.statefront.core.Position;
import dev.statefront.core.Schema;
import dev.statefront.core.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateServerTest {
    static final String APP = "t";
    static final String VIEW = "customer_stats";
    static final long NOW = 1_800_000_000_000L;
    static final Schema SCHEMA = Schema.of(List.of(
            new Column("customer_id", ColumnType.VARCHAR), new Column("order_count", ColumnType.BIGINT),
            new Column("total_cents", ColumnType.decimal(12, 2)), new Column("last_ts", ColumnType.TIMESTAMP)),
            List.of("customer_id"));
    static final CatalogEntry ENTRY = new CatalogEntry(CatalogEntry.Kind.VIEW, VIEW, "CREATE MATERIALIZED VIEW ...",
            SCHEMA, Topics.viewChanges(APP, VIEW), 4, List.of("orders"), Map.of());
    static final CatalogEntry ORDERS = new CatalogEntry(CatalogEntry.Kind.SOURCE, "orders", "CREATE SOURCE ...",
            Schema.of(List.of(new Column("customer_id", ColumnType.VARCHAR)), List.of()), "orders", 4, List.of(),
            Map.of("format", "json"));

    @TempDir
    Path dir;
    StateServer server;
    Feeder feeder;

    @BeforeEach
    void start() {
        server = new StateServer(new StateServerConfig(null, APP, dir, Map.of(), Duration.ofSeconds(3)),
                Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
        feeder = new Feeder(APP, server.startEmbedded());
        feeder.catalog(ORDERS).catalog(ENTRY).flush();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static Object[] row(String id, long count) {
        return new Object[] {id, count, new java.math.BigDecimal(count * 100).movePointLeft(2).setScale(2),
                NOW - count};
    }

    static String keyOf(ViewRow r) {
        return (String) r.row()[0];
    }

    @Test
    void shouldServeRowsInKeyOrderAcrossPartitionsWithExactCounts() {
        TreeMap<String, Object[]> expected = new TreeMap<>();
        Set<Integer> partitions = new java.util.HashSet<>();
        for (int i = 1; i <= 20; i++) {
            Object[] r = row("c-" + i, i);
            partitions.add(feeder.upsert(VIEW, r, Position.EMPTY));
            expected.put("c-" + i, r);
        }
        feeder.flush();
        Object[] updated = row("c-3", 33);
        feeder.upsert(VIEW, updated, Position.EMPTY);
        expected.put("c-3", updated);
        feeder.delete(VIEW, new Object[] {"c-5"}, Position.EMPTY);
        expected.remove("c-5");
        feeder.flush();
        assertTrue(partitions.size() > 1, "test keys must spread over partitions: " + partitions);

        ReadResult<ViewDescription> d = server.describe(VIEW, ReadOptions.NOW);
        assertEquals(ReadStatus.OK, d.status(), d.message());
        assertEquals(19, d.value().rowCount());
        assertEquals(19, d.value().partitions().stream().mapToLong(PartitionStatus::rowCount).sum());

        ReadResult<List<ViewRow>> all = server.scan(VIEW, null, null, 1000, ReadOptions.NOW);
        assertEquals(new ArrayList<>(expected.keySet()), all.value().stream().map(StateServerTest::keyOf).toList());
        assertArrayEquals(updated, server.get(VIEW, new Object[] {"c-3"}, ReadOptions.NOW).value());
        ReadResult<Object[]> gone = server.get(VIEW, new Object[] {"c-5"}, ReadOptions.NOW);
        assertEquals(ReadStatus.OK, gone.status());
        assertNull(gone.value());

        byte[] from = KeyCodec.encode(SCHEMA.keyTypes(), new Object[] {"c-15"});
        byte[] to = KeyCodec.encode(SCHEMA.keyTypes(), new Object[] {"c-3"});
        assertEquals(List.of("c-15", "c-16", "c-17", "c-18", "c-19", "c-2", "c-20"),
                server.scan(VIEW, from, to, 100, ReadOptions.NOW).value().stream().map(StateServerTest::keyOf).toList());
        assertEquals(List.of("c-1", "c-10"),
                server.scan(VIEW, null, null, 2, ReadOptions.NOW).value().stream().map(StateServerTest::keyOf).toList());
    }

    @Test
    void shouldCountByExistenceWhenCompactionDroppedTheCreateOrOnlyTheTombstoneIsLeft() {
        ChangeEventCodec codec = new ChangeEventCodec(APP, SCHEMA);
        Object[] key = {"c-9"};
        int p = Partitions.forKey(SCHEMA.keyTypes(), key, 4);
        ChangeEvent update = new ChangeEvent(ChangeEvent.Op.UPDATE, row("c-9", 1), row("c-9", 2), 1, VIEW, p,
                Position.EMPTY);
        feeder.raw(VIEW, p, codec.encodeKey(key), codec.encodeValue(update)).flush();
        assertEquals(1, server.describe(VIEW, ReadOptions.NOW).value().rowCount());
        feeder.raw(VIEW, p, codec.encodeKey(key), codec.encodeValue(update)).flush();
        assertEquals(1, server.describe(VIEW, ReadOptions.NOW).value().rowCount());
        feeder.raw(VIEW, p, codec.encodeKey(key), null).flush();
        assertEquals(0, server.describe(VIEW, ReadOptions.NOW).value().rowCount());
        assertNull(server.get(VIEW, key, ReadOptions.NOW).value());
    }

    @Test
    void shouldApplyAMarkerOnlyOnceTheChangeTopicIsReadUpToItsViewOffset() {
        Object[] r = row("c-1", 1);
        int p = Partitions.forKey(SCHEMA.keyTypes(), new Object[] {"c-1"}, 4);
        long start = feeder.nextOffset(VIEW, p);
        // the marker is committed with the change and its transaction marker: it may be read first
        feeder.marker(new dev.statefront.core.ProgressMarker(VIEW, p, start + 2, Position.of("orders", p, 7),
                NOW - 10, NOW)).flush();
        assertTrue(server.get(VIEW, new Object[] {"c-1"}, ReadOptions.NOW).position().isEmpty());
        feeder.upsert(VIEW, r, Position.of("orders", p, 7));
        feeder.flush();
        assertTrue(server.get(VIEW, new Object[] {"c-1"}, ReadOptions.NOW).position().isEmpty(),
                "offset " + (start + 1) + " does not reach the marker's view offset " + (start + 2));
        feeder.commitMarker(VIEW, p).flush();
        ReadResult<Object[]> read = server.get(VIEW, new Object[] {"c-1"}, ReadOptions.NOW);
        assertEquals(Position.of("orders", p, 7), read.position());
        assertEquals(new Freshness(NOW - 10, 10), read.freshness());
        PartitionStatus status = server.describe(VIEW, ReadOptions.NOW).value().partitions().get(p);
        assertEquals(start + 2, status.nextOffset());
        assertEquals(1, status.rowCount());
    }

    @Test
    void shouldAnswerNotUpToPositionWithWhatIsMissingAfterTheWait() {
        int p = Partitions.forKey(SCHEMA.keyTypes(), new Object[] {"c-1"}, 4);
        feeder.upsert(VIEW, row("c-1", 1), Position.of("orders", p, 5));
        feeder.markers(VIEW, Position.EMPTY, NOW);
        feeder.marker(VIEW, p, Position.of("orders", p, 5), NOW).flush();
        ReadOptions wants10 = new ReadOptions(Position.of("orders", p, 10), Duration.ofMillis(100));
        long t0 = System.nanoTime();
        ReadResult<Object[]> behind = server.get(VIEW, new Object[] {"c-1"}, wants10);
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(100));
        assertEquals(ReadStatus.NOT_UP_TO_POSITION, behind.status());
        assertEquals(Map.of("orders/" + p, 5L), behind.missing());
        assertTrue(behind.message().contains("partitions [" + p + "]"), behind.message());

        // a co-partitioned view partition only reflects its own source partition
        int other = (p + 1) % 4;
        feeder.marker(VIEW, other, Position.of("orders", other, 3), NOW).flush();
        String otherKey = null;
        for (int i = 0; otherKey == null; i++) {
            if (Partitions.forKey(SCHEMA.keyTypes(), new Object[] {"k" + i}, 4) == other) {
                otherKey = "k" + i;
            }
        }
        assertEquals(ReadStatus.OK, server.get(VIEW, new Object[] {otherKey}, wants10.withWaitTimeout(Duration.ZERO))
                .status());
        // a scan involves every partition, so it is behind too
        assertEquals(ReadStatus.NOT_UP_TO_POSITION, server.scan(VIEW, null, null, 10,
                wants10.withWaitTimeout(Duration.ZERO)).status());
    }

    @Test
    void shouldWakeAWaitingReadWhenTheMarkerArrives() throws Exception {
        int p = Partitions.forKey(SCHEMA.keyTypes(), new Object[] {"c-1"}, 4);
        feeder.marker(VIEW, p, Position.of("orders", p, 1), NOW).flush();
        CompletableFuture<ReadResult<Object[]>> read = CompletableFuture.supplyAsync(() -> server.get(VIEW,
                new Object[] {"c-1"}, new ReadOptions(Position.of("orders", p, 2), Duration.ofSeconds(3))));
        Thread.sleep(100);
        assertFalse(read.isDone());
        long t0 = System.nanoTime();
        feeder.upsert(VIEW, row("c-1", 1), Position.of("orders", p, 2));
        feeder.marker(VIEW, p, Position.of("orders", p, 2), NOW).flush();
        ReadResult<Object[]> r = read.get(2, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1));
        assertEquals(ReadStatus.OK, r.status(), r.message());
        assertNotNull(r.value());
        assertEquals(2, r.position().offset("orders", p));
    }

    @Test
    void shouldCapTheWaitAtTheConfiguredMaximum() {
        long t0 = System.nanoTime();
        ReadResult<Object[]> r = server.get(VIEW, new Object[] {"c-1"},
                new ReadOptions(Position.of("orders", 0, 99), Duration.ofMinutes(1)));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(ReadStatus.NOT_UP_TO_POSITION, r.status());
        assertTrue(ms >= 2900 && ms < 4500, "waited " + ms + " ms");
    }

    @Test
    void shouldReturnBatchRowsInRequestOrderWithMissingAsNull() {
        feeder.upsert(VIEW, row("a", 1), Position.EMPTY);
        feeder.upsert(VIEW, row("b", 2), Position.EMPTY);
        feeder.flush();
        ReadResult<List<Object[]>> r = server.batchGet(VIEW, List.of(new Object[] {"b"}, new Object[] {"x"},
                new Object[] {"a"}), ReadOptions.NOW);
        assertEquals(3, r.value().size());
        assertEquals("b", r.value().get(0)[0]);
        assertNull(r.value().get(1));
        assertEquals("a", r.value().get(2)[0]);
        assertEquals(ReadStatus.INVALID_ARGUMENT, server.batchGet(VIEW, List.<Object[]>of(new Object[] {"a", "b"}),
                ReadOptions.NOW).status());
    }

    @Test
    void shouldScanOnlyTheRequestedPartitions() {
        for (int i = 0; i < 30; i++) {
            feeder.upsert(VIEW, row("k" + i, i), Position.EMPTY);
        }
        feeder.flush();
        List<ViewRow> p1 = server.scan(VIEW, null, null, 100, Set.of(1), ReadOptions.NOW).value();
        assertFalse(p1.isEmpty());
        for (ViewRow r : p1) {
            assertEquals(1, Partitions.forKey(SCHEMA.keyTypes(), new Object[] {keyOf(r)}, 4));
        }
        assertEquals(30, server.scan(VIEW, null, null, 100, Set.of(0, 1, 2, 3), ReadOptions.NOW).value().size());
    }

    @Test
    void shouldAnswerNotFoundInvalidAndUnavailableAsValues() {
        ReadResult<Object[]> missing = server.get("nope", new Object[] {"x"}, ReadOptions.NOW);
        assertEquals(ReadStatus.NOT_FOUND, missing.status());
        assertTrue(missing.message().contains("customer_stats"), missing.message());
        assertEquals(ReadStatus.INVALID_ARGUMENT, server.get(VIEW, new Object[] {1L}, ReadOptions.NOW).status());
        assertEquals(ReadStatus.NOT_FOUND, server.source("nope").status());
        assertEquals("orders", server.source("orders").value().topic());
        assertEquals(List.of(VIEW), server.views().value().stream().map(CatalogEntry::name).toList());

        StateServer idle = new StateServer(new StateServerConfig(null, APP, dir.resolve("other")));
        assertEquals(ReadStatus.UNAVAILABLE, idle.get(VIEW, new Object[] {"x"}, ReadOptions.NOW).status());
        assertThrows(IllegalStateException.class, idle::start);
        idle.close();
        assertEquals(ServerState.STOPPED, idle.state());
    }

    @Test
    void shouldSkipUndecodableRecordsAndGoOn() {
        feeder.raw(VIEW, 0, "not json".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8));
        feeder.upsert(VIEW, row("c-1", 1), Position.EMPTY);
        feeder.flush();
        assertNotNull(server.get(VIEW, new Object[] {"c-1"}, ReadOptions.NOW).value());
    }

    @Test
    void shouldEnforceTheLifecycle() {
        assertThrows(IllegalStateException.class, server::startEmbedded);
        server.close();
        assertEquals(ServerState.STOPPED, server.state());
        assertEquals(ReadStatus.UNAVAILABLE, server.get(VIEW, new Object[] {"x"}, ReadOptions.NOW).status());
        server.close();
    }

    @Test
    void shouldResumeFromTheStoredStateAfterARestart() {
        for (int i = 0; i < 10; i++) {
            feeder.upsert(VIEW, row("c-" + i, i), Position.EMPTY);
        }
        feeder.markers(VIEW, Position.of("orders", 0, 42), NOW - 5).flush();
        ViewDescription before = server.describe(VIEW, ReadOptions.NOW).value();
        server.close();

        server = new StateServer(new StateServerConfig(null, APP, dir),
                Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
        server.startEmbedded();
        ViewDescription after = server.describe(VIEW, ReadOptions.NOW).value();
        assertEquals(10, after.rowCount());
        assertEquals(before.partitions(), after.partitions());
        assertEquals(ENTRY, after.entry());
        assertEquals(10, server.scan(VIEW, null, null, 100, ReadOptions.NOW).value().size());
        assertEquals(ReadStatus.OK, server.scan(VIEW, null, null, 1,
                new ReadOptions(Position.of("orders", 0, 42), Duration.ZERO)).status());
    }
}
