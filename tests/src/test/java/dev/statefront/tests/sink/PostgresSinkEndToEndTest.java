package dev.statefront.tests.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.app.kafka.EmbeddedKafka;
import dev.statefront.core.Topics;
import dev.statefront.processor.ProcessorConfig;
import dev.statefront.processor.ProcessorServer;
import dev.statefront.state.server.ReadOptions;
import dev.statefront.state.server.ReadResult;
import dev.statefront.state.server.StateServer;
import dev.statefront.state.server.StateServerConfig;
import dev.statefront.state.server.ViewRow;
import dev.statefront.testkit.OrderGenerator;
import dev.statefront.testkit.Oracle;
import dev.statefront.tests.support.Orders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL mirror against real Kafka and a real PostgreSQL ({@code scripts/postgres.sh}): 100,000 orders
 * flow through the processor while the sink runs in a child JVM ({@code roles=sink}) that is killed with SIGKILL
 * mid-stream and restarted. At the end the table equals the view and the oracle, and the offsets table says every
 * change record of the topic was applied exactly once.
 */
@Tag("slow")
class PostgresSinkEndToEndTest {
    static final String URL = "jdbc:postgresql://127.0.0.1:55432/statefront";
    private static final int ORDERS = 100_000;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    /** A connection to the project's PostgreSQL, starting it with scripts/postgres.sh if needed; fails if it cannot. */
    static Connection postgres() throws Exception {
        try {
            return DriverManager.getConnection(URL, "statefront", "statefront");
        } catch (SQLException first) {
            Path root = Path.of("").toAbsolutePath();
            while (root != null && !Files.exists(root.resolve("scripts/postgres.sh"))) {
                root = root.getParent();
            }
            assertTrue(root != null, "no scripts/postgres.sh above " + Path.of("").toAbsolutePath());
            Process p = new ProcessBuilder("bash", root.resolve("scripts/postgres.sh").toString(), "start")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0, "scripts/postgres.sh start failed: "
                    + out);
            return DriverManager.getConnection(URL, "statefront", "statefront");
        }
    }

    @Test
    void shouldMirrorTheViewExactlyAcrossASigkilledSink() throws Exception {
        String table = "customer_stats_mirror_" + Long.toString(System.nanoTime(), 36);
        String sinkName = "sink_" + table;
        String sql = Orders.DEMO_SQL + "CREATE SINK " + sinkName + " FROM customer_stats WITH (connector = 'postgres', "
                + "url = '" + URL + "', table = '" + table + "', user = 'statefront', password = 'statefront', "
                + "batch.size = '2000');\n";
        Path sqlFile = dir.resolve("views.sql");
        Files.writeString(sqlFile, sql);
        Oracle oracle = new Oracle();
        try (Connection pg = postgres();
             EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0, 0)) {
            kafka.start();
            String bootstrap = kafka.bootstrapServers();
            Orders.createTopic(bootstrap, "orders", 4);
            try (ProcessorServer processor = new ProcessorServer(new ProcessorConfig(bootstrap, "statefront",
                         dir.resolve("processor"), sql, 4, (short) 1, 200, Map.of()));
                 StateServer state = new StateServer(new StateServerConfig(bootstrap, "statefront",
                         dir.resolve("replica"), Map.of(), Duration.ofSeconds(5)));
                 Orders orders = new Orders(bootstrap, "orders")) {
                processor.start();
                state.start();
                OrderGenerator gen = new OrderGenerator(5, 30_000);
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread producer = new Thread(() -> {
                    try {
                        for (int i = 0; i < ORDERS; i++) {
                            var o = gen.next();
                            oracle.add(o);
                            orders.send(o);
                            if (i % 1000 == 0) {
                                Thread.sleep(40); // ~25k orders/s: still flowing when the sink is killed
                            }
                        }
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                }, "orders");
                producer.start();

                Process sink = startSink(bootstrap, sqlFile, 1);
                waitFor(() -> applied(pg, sinkName) > 5_000, sink, 1, "the sink applied some changes");
                sink.destroyForcibly(); // SIGKILL: no shutdown hook, a transaction may be half done
                assertTrue(sink.waitFor(30, TimeUnit.SECONDS));
                long appliedAtKill = applied(pg, sinkName);
                sink = startSink(bootstrap, sqlFile, 2);
                try {
                    producer.join(180_000);
                    assertEquals(null, failure.get());
                    var produced = orders.flush();
                    Map<String, Oracle.CustomerStats> expected = oracle.customerStats();
                    long changeRecords = changeRecords(bootstrap);
                    Process s2 = sink;
                    waitFor(() -> applied(pg, sinkName) >= changeRecords && count(pg, table) == expected.size(), s2, 2,
                            "the table caught up");
                    assertTrue(appliedAtKill < changeRecords, "the kill happened mid-stream");
                    assertEquals(changeRecords, applied(pg, sinkName),
                            "every change record applied exactly once (offsets table)");
                    Map<String, Object[]> mirrored = table(pg, table);
                    assertEquals(expected.keySet(), mirrored.keySet());
                    for (Oracle.CustomerStats c : expected.values()) {
                        Object[] r = mirrored.get(c.customerId());
                        assertEquals(c.orderCount(), r[0], c.customerId());
                        assertEquals(c.totalCents(), r[1], c.customerId());
                        assertEquals(c.maxCents(), r[2], c.customerId());
                        assertEquals(c.lastTs(), r[3], c.customerId());
                    }
                    // and equal to the state server's view at the same position
                    ReadResult<List<ViewRow>> view;
                    do {
                        view = state.scan("customer_stats", null, null, 1_000_000,
                                new ReadOptions(produced, Duration.ofSeconds(5)));
                    } while (!view.isOk());
                    assertEquals(expected.size(), view.value().size());
                    for (ViewRow row : view.value()) {
                        Object[] r = mirrored.get((String) row.row()[0]);
                        assertEquals(row.row()[1], r[0]);
                        assertEquals(row.row()[2], r[1]);
                    }
                } finally {
                    sink.destroy();
                    sink.waitFor(30, TimeUnit.SECONDS);
                    try (Statement st = pg.createStatement()) {
                        st.execute("DROP TABLE IF EXISTS \"" + table + "\"");
                        st.execute("DELETE FROM statefront_sink_offsets WHERE sink = '" + sinkName + "'");
                    }
                }
            }
        }
    }

    private Process startSink(String bootstrap, Path sql, int run) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-cp", System.getProperty("java.class.path"), "dev.statefront.app.StatefrontMain", "run",
                "--sql", sql.toString(),
                "--set", "kafka.bootstrap.servers=" + bootstrap,
                "--set", "roles=sink",
                "--set", "data.dir=" + dir.resolve("sink-data")));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("sink-run-" + run + ".log").toFile()).start();
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private void waitFor(Check check, Process p, int run, String what) throws Exception {
        long deadline = System.currentTimeMillis() + 180_000;
        while (!check.ok()) {
            assertTrue(p.isAlive(), () -> "sink run " + run + " exited: " + log(run));
            assertTrue(System.currentTimeMillis() < deadline, () -> "timed out waiting: " + what + "\n" + log(run));
            Thread.sleep(100);
        }
    }

    private String log(int run) {
        try {
            return Files.readString(dir.resolve("sink-run-" + run + ".log"));
        } catch (Exception e) {
            return "(no log)";
        }
    }

    private static long applied(Connection pg, String sink) throws SQLException {
        try (Statement st = pg.createStatement()) {
            if (!exists(st, "statefront_sink_offsets")) {
                return 0;
            }
            try (ResultSet rs = st.executeQuery("SELECT COALESCE(SUM(applied_changes), 0) FROM statefront_sink_offsets "
                    + "WHERE sink = '" + sink + "'")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static boolean exists(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT to_regclass('public." + table + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static long count(Connection pg, String table) throws SQLException {
        try (Statement st = pg.createStatement()) {
            if (!exists(st, table)) {
                return -1;
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM \"" + table + "\"")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Map<String, Object[]> table(Connection pg, String table) throws SQLException {
        Map<String, Object[]> rows = new TreeMap<>();
        try (Statement st = pg.createStatement();
             ResultSet rs = st.executeQuery("SELECT customer_id, order_count, total_cents, max_cents, "
                     + "(extract(epoch from last_ts) * 1000)::bigint FROM \"" + table + "\"")) {
            while (rs.next()) {
                rows.put(rs.getString(1), new Object[] {rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)});
            }
        }
        return rows;
    }

    /** Change records (not tombstones) in the view's change topic, read_committed, up to its end. */
    private static long changeRecords(String bootstrap) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            String topic = Topics.viewChanges("statefront", "customer_stats");
            long deadline = System.currentTimeMillis() + 120_000;
            List<TopicPartition> tps = new ArrayList<>();
            c.partitionsFor(topic).forEach(p -> tps.add(new TopicPartition(topic, p.partition())));
            c.assign(tps);
            c.seekToBeginning(tps);
            // the processor may still be committing the last orders: read until two idle seconds at the end
            long count = 0;
            long idleSince = System.currentTimeMillis();
            while (System.currentTimeMillis() - idleSince < 2000 && System.currentTimeMillis() < deadline) {
                var records = c.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (r.value() != null) {
                        count++;
                    }
                }
                if (!records.isEmpty()) {
                    idleSince = System.currentTimeMillis();
                }
            }
            return count;
        }
    }
}
