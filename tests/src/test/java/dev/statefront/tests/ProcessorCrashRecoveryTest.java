package dev.statefront.tests;

import static dev.statefront.tests.support.RestClient.enc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statefront.app.kafka.EmbeddedKafka;
import dev.statefront.core.JsonValues;
import dev.statefront.core.Position;
import dev.statefront.gateway.GatewayConfig;
import dev.statefront.gateway.GatewayServer;
import dev.statefront.state.server.StateServer;
import dev.statefront.state.server.StateServerConfig;
import dev.statefront.testkit.OrderGenerator;
import dev.statefront.testkit.Oracle;
import dev.statefront.tests.support.Orders;
import dev.statefront.tests.support.RestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once under crashes: the processor runs in a child JVM and is killed with SIGKILL twice while
 * orders keep arriving; after the last restart both views equal the oracle exactly — nothing lost, nothing
 * counted twice.
 */
@Tag("slow")
class ProcessorCrashRecoveryTest {
    private static final int ORDERS = 60_000;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldRecoverExactlyAfterSigkillMidStream() throws Exception {
        Oracle oracle = new Oracle();
        try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0, 0)) {
            kafka.start();
            String bootstrap = kafka.bootstrapServers();
            Orders.createTopic(bootstrap, "orders", 4);
            Path sql = dir.resolve("views.sql");
            Files.writeString(sql, Orders.DEMO_SQL);

            try (StateServer state = new StateServer(new StateServerConfig(bootstrap, "statefront",
                         dir.resolve("replica"), Map.of(), Duration.ofSeconds(5)));
                 GatewayServer gateway = new GatewayServer(new GatewayConfig("127.0.0.1", 0, bootstrap, "statefront",
                         Map.of(), 1 << 20), state);
                 Orders orders = new Orders(bootstrap, "orders")) {
                state.start();
                gateway.start();
                RestClient rest = new RestClient("http://127.0.0.1:" + gateway.port());

                OrderGenerator gen = new OrderGenerator(7, 5_000);
                for (int i = 0; i < ORDERS / 3; i++) {
                    var o = gen.next();
                    oracle.add(o);
                    orders.send(o);
                }
                orders.flush();
                AtomicReference<Throwable> producerFailure = new AtomicReference<>();
                Thread trickle = new Thread(() -> {
                    try {
                        for (int i = ORDERS / 3; i < ORDERS; i++) {
                            var o = gen.next();
                            oracle.add(o);
                            orders.send(o);
                            if (i % 500 == 0) {
                                Thread.sleep(50); // ~10k orders/s: keeps arriving across the kills
                            }
                        }
                    } catch (Throwable t) {
                        producerFailure.set(t);
                    }
                }, "trickle");

                Process p = startProcessor(bootstrap, sql, 1);
                waitForRows(rest, p);
                trickle.start();
                for (int kill = 1; kill <= 2; kill++) {
                    waitForLog(p, kill, "ready (");
                    Thread.sleep(1000 + kill * 500L); // let it process (and commit) for a while, then crash it
                    p.destroyForcibly(); // SIGKILL: no shutdown hook, no clean close
                    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                    p = startProcessor(bootstrap, sql, kill + 1);
                }
                trickle.join(120_000);
                assertEquals(null, producerFailure.get());
                Position all = orders.flush();

                try {
                    Map<String, Oracle.CustomerStats> expected = oracle.customerStats();
                    List<JsonNode> rows = scanAll(rest, "customer_stats", all);
                    assertEquals(expected.size(), rows.size(), "customer_stats row count");
                    int i = 0;
                    for (Oracle.CustomerStats e : expected.values()) {
                        JsonNode row = rows.get(i++);
                        assertEquals(e.customerId(), row.get("customer_id").asText());
                        assertEquals(e.orderCount(), row.get("order_count").asLong(), e.customerId());
                        assertEquals(e.totalCents(), row.get("total_cents").asLong(), e.customerId());
                        assertEquals(e.maxCents(), row.get("max_cents").asLong(), e.customerId());
                        assertEquals(JsonValues.formatTimestamp(e.lastTs()), row.get("last_ts").asText());
                    }
                    Map<String, Oracle.RegionStatus> regions = oracle.regionStatus();
                    List<JsonNode> regionRows = scanAll(rest, "region_status", all);
                    assertEquals(regions.size(), regionRows.size());
                    i = 0;
                    for (Oracle.RegionStatus e : regions.values()) {
                        JsonNode row = regionRows.get(i++);
                        assertEquals(e.region() + "|" + e.status(), row.get("region").asText() + "|"
                                + row.get("status").asText());
                        assertEquals(e.n(), row.get("n").asLong(), "n of " + e.region() + "/" + e.status());
                        assertEquals(e.avgCents(), row.get("avg_cents").asDouble(), 0.0);
                    }
                } finally {
                    p.destroy();
                    p.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    private Process startProcessor(String bootstrap, Path sql, int run) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "dev.statefront.app.StatefrontMain", "run",
                "--sql", sql.toString(),
                "--set", "kafka.bootstrap.servers=" + bootstrap,
                "--set", "roles=processor",
                "--set", "data.dir=" + dir.resolve("processor-data"),
                "--set", "processor.progress.interval.ms=200"));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("processor-run-" + run + ".log").toFile()).start();
    }

    private void waitForRows(RestClient rest, Process p) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            assertTrue(p.isAlive(), () -> "processor exited: " + log(1));
            RestClient.Response r = rest.get("/v1/views/customer_stats/rows/c-1");
            if (r.status() == 200) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("processor produced nothing in 120 s: " + log(1));
    }

    private void waitForLog(Process p, int run, String text) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (!log(run).contains(text)) {
            assertTrue(p.isAlive(), () -> "processor run " + run + " exited: " + log(run));
            assertTrue(System.currentTimeMillis() < deadline, () -> "run " + run + " never logged '" + text + "'");
            Thread.sleep(100);
        }
    }

    private String log(int run) {
        try {
            return Files.readString(dir.resolve("processor-run-" + run + ".log"));
        } catch (Exception e) {
            return "(no log)";
        }
    }

    private List<JsonNode> scanAll(RestClient rest, String view, Position min) throws InterruptedException {
        List<JsonNode> rows = new ArrayList<>();
        String cursor = null;
        long deadline = System.currentTimeMillis() + 240_000;
        while (true) {
            RestClient.Response r = rest.get("/v1/views/" + view + "/rows?limit=1000&wait_ms=2000&min_position="
                    + enc(min.token()) + (cursor == null ? "" : "&cursor=" + enc(cursor)));
            if (r.status() == 503 && System.currentTimeMillis() < deadline) {
                Thread.sleep(200); // not caught up yet: same page again
                continue;
            }
            assertEquals(200, r.status(), () -> r.body().toString() + "\n" + log(3));
            r.body().get("rows").forEach(rows::add);
            JsonNode next = r.body().get("next_cursor");
            if (next == null || next.isNull()) {
                return rows;
            }
            cursor = next.asText();
        }
    }
}
