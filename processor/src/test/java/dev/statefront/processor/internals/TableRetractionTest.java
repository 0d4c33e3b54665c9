package dev.statefront.processor.internals;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.core.ChangeEvent;
import dev.statefront.core.ChangeEventCodec;
import dev.statefront.core.DecodeException;
import dev.statefront.core.Position;
import dev.statefront.processor.plan.Program;
import dev.statefront.processor.plan.SourceDefinition;
import dev.statefront.processor.plan.ViewPlan;
import dev.statefront.processor.sql.SqlPlanner;
import dev.statefront.processor.state.TaskStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stage 1 of a table source without Kafka: records decoded by {@link SourceDecoder}, the replaced row taken from
 * {@link TablePartitionState}, old rows retracted from and new rows added to a {@link ViewPartitionTask}, with
 * transactions committed and aborted. The view's change stream is checked against a brute-force recomputation
 * from the table's current rows.
 */
class TableRetractionTest {
    private static final String SQL = """
            CREATE TABLE accounts (id VARCHAR PRIMARY KEY, tier VARCHAR, balance BIGINT, owner VARCHAR)
              WITH (topic = 'accounts', format = 'json');
            CREATE MATERIALIZED VIEW by_tier AS
              SELECT tier, COUNT(*) AS n, SUM(balance) AS total, MIN(balance) AS lo, MAX(balance) AS hi,
                     AVG(balance) AS mean, COUNT(DISTINCT owner) AS owners
              FROM accounts GROUP BY tier;
            CREATE MATERIALIZED VIEW rich AS SELECT id, tier, balance FROM accounts WHERE balance >= 500;
            """;

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** A stage-1 pipeline for one partition of {@code accounts} feeding both views' partition 0. */
    private final class Pipeline {
        final SourceDefinition table;
        final SourceDecoder decoder;
        final TablePartitionState state;
        final Map<String, ViewPartitionTask> tasks = new HashMap<>();
        final MockProducer<byte[], byte[]> producer =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        final ErrorSink errors = new ErrorSink();

        Pipeline(String sql) {
            Program program = SqlPlanner.plan(sql);
            table = program.sources().get(0);
            decoder = new SourceDecoder(table);
            TaskStore tableStore = TaskStore.open(dir.resolve("table"));
            state = new TablePartitionState(table, "t-changelog", 0, tableStore, 0);
            open.add(state);
            for (ViewPlan plan : program.views()) {
                TaskStore store = TaskStore.open(dir.resolve(plan.name()));
                ViewPartitionTask task = new ViewPartitionTask(ViewRuntime.of("app", plan, 1), 0, store,
                        Position.EMPTY, 0, 0, false);
                open.add(task);
                tasks.put(plan.name(), task);
            }
        }

        void record(String key, String value) {
            SourceDecoder.Change c = decoder.decode(key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                    value == null ? null : value.getBytes(StandardCharsets.UTF_8));
            if (c.skip()) {
                return;
            }
            Object[] before = c.before();
            if (table.table()) {
                before = state.upsert(c.key(), c.after());
            }
            for (ViewPartitionTask t : tasks.values()) {
                ViewPlan plan = t.view().plan();
                if (before != null && plan.filter(before)) {
                    t.apply(before, plan.groupKey(before), -1);
                }
                if (c.after() != null && plan.filter(c.after())) {
                    t.apply(c.after(), plan.groupKey(c.after()), 1);
                }
            }
        }

        void commit() {
            state.flush(producer, errors);
            tasks.values().forEach(t -> t.flush(producer, 0, errors));
            state.committed();
            tasks.values().forEach(ViewPartitionTask::committed);
        }

        void abort() {
            state.flush(producer, errors);
            tasks.values().forEach(t -> t.flush(producer, 0, errors));
            producer.clear();
            state.aborted();
            tasks.values().forEach(ViewPartitionTask::aborted);
        }

        /** The view as its change topic says: the last change per key, deletes removed, in key-text order. */
        Map<String, List<Object>> view(String name) {
            ViewRuntime v = tasks.get(name).view();
            Map<String, List<Object>> rows = new TreeMap<>();
            for (ProducerRecord<byte[], byte[]> r : producer.history()) {
                if (!r.topic().equals(v.changeTopic()) || r.value() == null) {
                    continue;
                }
                ChangeEvent e = v.codec().decodeValue(r.value());
                String key = Arrays.toString(v.codec().decodeKey(r.key()));
                if (e.after() == null) {
                    rows.remove(key);
                } else {
                    rows.put(key, Arrays.asList(e.after()));
                }
            }
            return rows;
        }

        List<ChangeEvent> changes(String name) {
            ViewRuntime v = tasks.get(name).view();
            List<ChangeEvent> out = new ArrayList<>();
            for (ProducerRecord<byte[], byte[]> r : producer.history()) {
                if (r.topic().equals(v.changeTopic()) && r.value() != null) {
                    out.add(v.codec().decodeValue(r.value()));
                }
            }
            return out;
        }
    }

    private static String row(String id, String tier, long balance, String owner) {
        return "{\"id\":\"" + id + "\",\"tier\":\"" + tier + "\",\"balance\":" + balance + ",\"owner\":\"" + owner
                + "\"}";
    }

    @Test
    void shouldMoveARowBetweenGroupsAndDeleteTheGroupItLeavesEmpty() {
        Pipeline p = new Pipeline(SQL);
        p.record("a", row("a", "gold", 100, "ann"));
        p.record("b", row("b", "gold", 700, "bob"));
        p.record("c", row("c", "silver", 50, "cid"));
        p.commit();
        assertEquals(List.of(2L, 800L, 100L, 700L, 400.0, 2L), p.view("by_tier").get("[gold]").subList(1, 7));

        p.record("c", row("c", "gold", 50, "ann")); // silver → gold: silver is empty now
        p.commit();
        Map<String, List<Object>> view = p.view("by_tier");
        assertEquals(Set.of("[gold]"), view.keySet());
        assertEquals(List.of("gold", 3L, 850L, 50L, 700L, 850.0 / 3, 2L), view.get("[gold]"));
        ChangeEvent last = p.changes("by_tier").stream()
                .filter(e -> e.before() != null && "silver".equals(e.before()[0])).reduce((x, y) -> y).orElseThrow();
        assertEquals(ChangeEvent.Op.DELETE, last.op());
        assertNull(last.after());
        // the delete is followed by a tombstone on the change topic
        List<ProducerRecord<byte[], byte[]>> h = p.producer.history();
        boolean tombstone = h.stream().anyMatch(r -> r.topic().equals("app-view-by_tier") && r.value() == null);
        assertTrue(tombstone, "tombstone after the delete of group silver");
    }

    @Test
    void shouldMarkEveryChangeOfATransactionButTheLastOfEachPartitionAsFollowedByMore() {
        Pipeline p = new Pipeline(SQL);
        for (int i = 0; i < 30; i++) {
            p.record("k" + i, row("k" + i, i % 3 == 0 ? "gold" : "silver", i * 40L, "o" + (i % 7)));
        }
        int first = p.producer.history().size();
        p.commit();
        for (int i = 0; i < 30; i += 2) {
            p.record("k" + i, null); // deletes: rows leave 'rich' (change + tombstone each)
        }
        int second = p.producer.history().size();
        p.commit();
        List<ProducerRecord<byte[], byte[]>> h = p.producer.history();
        for (List<ProducerRecord<byte[], byte[]>> txn : List.of(h.subList(first, second), h.subList(second, h.size()))) {
            for (String topic : List.of("app-view-by_tier", "app-view-rich")) {
                List<ProducerRecord<byte[], byte[]>> changes = txn.stream().filter(r -> r.topic().equals(topic))
                        .toList();
                assertTrue(changes.size() > 1, topic + " changed in every transaction");
                for (int i = 0; i < changes.size(); i++) {
                    boolean more = changes.get(i).headers().lastHeader(ChangeEventCodec.MORE_HEADER) != null;
                    assertEquals(i < changes.size() - 1, more, topic + " record " + i + " of " + changes.size());
                }
            }
        }
    }

    @Test
    void shouldFindTheNextExtremeWhenTheCurrentMinAndMaxAreRetracted() {
        Pipeline p = new Pipeline(SQL);
        p.record("a", row("a", "gold", 100, "ann"));
        p.record("b", row("b", "gold", 700, "bob"));
        p.record("c", row("c", "gold", 300, "cid"));
        p.record("d", row("d", "gold", 700, "dan"));
        p.commit();
        p.record("a", null); // the minimum leaves
        p.record("b", row("b", "gold", 200, "bob")); // one of two maxima drops
        p.commit();
        assertEquals(List.of("gold", 3L, 1200L, 200L, 700L, 400.0, 3L), p.view("by_tier").get("[gold]"));
        p.record("d", null); // the last maximum leaves
        p.commit();
        assertEquals(List.of("gold", 2L, 500L, 200L, 300L, 250.0, 2L), p.view("by_tier").get("[gold]"));
    }

    @Test
    void shouldUpsertAndDeleteRowsOfANonAggregatingViewAsTheFilterFlips() {
        Pipeline p = new Pipeline(SQL);
        p.record("a", row("a", "gold", 600, "ann"));
        p.record("b", row("b", "gold", 100, "bob"));
        p.commit();
        assertEquals(Set.of("[a]"), p.view("rich").keySet());
        p.record("a", row("a", "silver", 100, "ann")); // leaves the filter
        p.record("b", row("b", "gold", 900, "bob")); // enters it
        p.commit();
        assertEquals(Map.of("[b]", List.of("b", "gold", 900L)), p.view("rich"));
        p.record("b", null);
        p.commit();
        assertEquals(Map.of(), p.view("rich"));
    }

    @Test
    void shouldForgetAnAbortedTransactionInTableAndViewState() {
        Pipeline p = new Pipeline(SQL);
        p.record("a", row("a", "gold", 100, "ann"));
        p.commit();
        p.record("a", row("a", "silver", 5, "ann"));
        p.record("z", row("z", "gold", 1, "zed"));
        p.abort();
        p.record("a", row("a", "gold", 150, "ann")); // replaces the committed row, not the aborted one
        p.commit();
        assertEquals(Map.of("[gold]", List.of("gold", 1L, 150L, 150L, 150L, 150.0, 1L)), p.view("by_tier"));
    }

    @Test
    void shouldMatchBruteForceOverRandomUpsertsAndDeletes() {
        Pipeline p = new Pipeline(SQL);
        Random rnd = new Random(5);
        Map<String, Object[]> rows = new HashMap<>();
        String[] tiers = {"gold", "silver", "bronze", "lead"};
        for (int tx = 0; tx < 60; tx++) {
            for (int i = 0; i < 40; i++) {
                String id = "k" + rnd.nextInt(50);
                if (rnd.nextInt(5) == 0) {
                    p.record(id, null);
                    rows.remove(id);
                } else {
                    String tier = tiers[rnd.nextInt(tiers.length)];
                    long balance = rnd.nextInt(1000);
                    String owner = "o" + rnd.nextInt(8);
                    p.record(id, row(id, tier, balance, owner));
                    rows.put(id, new Object[] {id, tier, balance, owner});
                }
            }
            p.commit();
            assertEquals(bruteForce(rows), p.view("by_tier"), "after transaction " + tx);
        }
    }

    private static Map<String, List<Object>> bruteForce(Map<String, Object[]> rows) {
        Map<String, List<Object[]>> groups = new TreeMap<>();
        for (Object[] r : rows.values()) {
            groups.computeIfAbsent("[" + r[1] + "]", k -> new ArrayList<>()).add(r);
        }
        Map<String, List<Object>> out = new TreeMap<>();
        groups.forEach((k, g) -> {
            long sum = g.stream().mapToLong(r -> (Long) r[2]).sum();
            long lo = g.stream().mapToLong(r -> (Long) r[2]).min().orElseThrow();
            long hi = g.stream().mapToLong(r -> (Long) r[2]).max().orElseThrow();
            Set<Object> owners = new HashSet<>();
            g.forEach(r -> owners.add(r[3]));
            out.put(k, List.of(g.get(0)[1], (long) g.size(), sum, lo, hi, (double) sum / g.size(),
                    (long) owners.size()));
        });
        return out;
    }

    @Test
    void shouldDecodeDebeziumEnvelopesWithAndWithoutSchema() {
        SourceDefinition t = SqlPlanner.plan("""
                CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR, at TIMESTAMP, price DECIMAL(10,2))
                  WITH (format = 'debezium-json');""").sources().get(0);
        SourceDecoder d = new SourceDecoder(t);
        SourceDecoder.Change c = d.decode(null, utf8("""
                {"before": null, "after": {"id": 7, "name": "x", "at": 1700000000000, "price": "12.50"},
                 "op": "r", "ts_ms": 1}"""));
        assertArrayEquals(new Object[] {7L}, c.key());
        assertEquals(new java.math.BigDecimal("12.50"), c.after()[3]);
        SourceDecoder.Change withSchema = d.decode(null, utf8("""
                {"schema": {"type": "struct", "fields": [{"field": "after", "type": "struct", "fields": [
                    {"field": "id", "type": "int64"},
                    {"field": "at", "type": "int64", "name": "io.debezium.time.MicroTimestamp"},
                    {"field": "price", "type": "bytes", "name": "org.apache.kafka.connect.data.Decimal",
                     "parameters": {"scale": "2"}}]}]},
                 "payload": {"before": {"id": 7}, "after": {"id": 7, "name": "y", "at": 1700000000000123,
                             "price": "Aehm"}, "op": "u"}}"""));
        assertArrayEquals(new Object[] {7L, "y", 1700000000000L, new java.math.BigDecimal("1250.30")},
                withSchema.after());
        SourceDecoder.Change delete = d.decode(null, utf8("{\"before\": {\"id\": 7}, \"after\": null, \"op\": \"d\"}"));
        assertArrayEquals(new Object[] {7L}, delete.key());
        assertNull(delete.after());
        assertTrue(d.decode(utf8("{\"id\": 7}"), null).skip(), "Debezium tombstones are skipped");
        DecodeException e = assertThrows(DecodeException.class, () -> d.decode(null, utf8("{\"after\": {}}")));
        assertTrue(e.getMessage().contains("op"), e.getMessage());
    }

    /**
     * A view of bytes in the middle of a larger array, as the consumer hands over a record of a fetch: the view's
     * array offset (3) and its position (4) both count, and the bytes around it are not JSON of the record.
     */
    private static java.nio.ByteBuffer slice(String text) {
        byte[] b = utf8(text);
        byte[] around = new byte[b.length + 20];
        java.util.Arrays.fill(around, (byte) '}');
        System.arraycopy(b, 0, around, 7, b.length);
        return java.nio.ByteBuffer.wrap(around, 3, around.length - 3).slice().position(4).limit(4 + b.length);
    }

    @Test
    void shouldDecodeRecordsWhereTheyLieInTheFetchBuffer() {
        SourceDefinition stream = SqlPlanner.plan("CREATE SOURCE s (id BIGINT, v VARCHAR) WITH (format = 'json')")
                .sources().get(0);
        SourceDecoder d = new SourceDecoder(stream);
        assertArrayEquals(new Object[] {1L, "x"}, d.decode(slice("1"), slice("{\"id\": 1, \"v\": \"x\"}")).after());
        DecodeException bad = assertThrows(DecodeException.class, () -> d.decode(null, slice("{\"id\": 1")));
        assertTrue(bad.getMessage().contains("malformed JSON"), bad.getMessage());
        assertThrows(DecodeException.class, () -> d.decode(null, (java.nio.ByteBuffer) null));
        SourceDefinition table = SqlPlanner.plan("CREATE TABLE t (id BIGINT PRIMARY KEY, v VARCHAR)").sources().get(0);
        SourceDecoder td = new SourceDecoder(table);
        assertArrayEquals(new Object[] {5L}, td.decode(slice("5"), slice("{\"id\": 5, \"v\": \"y\"}")).key());
        assertArrayEquals(new Object[] {5L}, td.decode(slice("5"), null).key(),
                "a tombstone's key comes from the record key");
        SourceDefinition dbz = SqlPlanner.plan("CREATE SOURCE e (id BIGINT) WITH (format = 'debezium-json')")
                .sources().get(0);
        assertArrayEquals(new Object[] {9L}, new SourceDecoder(dbz).decode(null,
                slice("{\"before\": null, \"after\": {\"id\": 9}, \"op\": \"c\"}")).after());
    }

    @Test
    void shouldRetractBeforeAndAddAfterForADebeziumStream() {
        SourceDefinition s = SqlPlanner.plan("CREATE SOURCE s (id BIGINT, v BIGINT) WITH (format = 'debezium-json')")
                .sources().get(0);
        SourceDecoder d = new SourceDecoder(s);
        SourceDecoder.Change u = d.decode(null, utf8("{\"before\": {\"id\": 1, \"v\": 2}, \"after\": {\"id\": 1, "
                + "\"v\": 3}, \"op\": \"u\"}"));
        assertArrayEquals(new Object[] {1L, 2L}, u.before());
        assertArrayEquals(new Object[] {1L, 3L}, u.after());
        DecodeException e = assertThrows(DecodeException.class, () -> d.decode(null,
                utf8("{\"before\": null, \"after\": {\"id\": 1, \"v\": 3}, \"op\": \"u\"}")));
        assertTrue(e.getMessage().contains("REPLICA IDENTITY FULL"), e.getMessage());
    }

    @Test
    void shouldTakeATombstonesKeyFromAPlainOrJsonRecordKey() {
        SourceDefinition single = SqlPlanner.plan("CREATE TABLE a (id BIGINT PRIMARY KEY, v VARCHAR)").sources().get(0);
        assertArrayEquals(new Object[] {42L}, new SourceDecoder(single).decode(utf8("42"), null).key());
        assertArrayEquals(new Object[] {42L}, new SourceDecoder(single).decode(utf8("{\"id\": 42}"), null).key());
        SourceDefinition composite = SqlPlanner.plan(
                "CREATE TABLE b (r VARCHAR, n INT, v VARCHAR, PRIMARY KEY (r, n))").sources().get(0);
        assertArrayEquals(new Object[] {"eu", 3},
                new SourceDecoder(composite).decode(utf8("{\"r\": \"eu\", \"n\": 3}"), null).key());
        DecodeException e = assertThrows(DecodeException.class,
                () -> new SourceDecoder(composite).decode(utf8("eu|3"), null));
        assertTrue(e.getMessage().contains("JSON object of the key columns"), e.getMessage());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
