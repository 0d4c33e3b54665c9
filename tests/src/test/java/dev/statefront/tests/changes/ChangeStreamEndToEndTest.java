package dev.statefront.tests.changes;

import static dev.statefront.tests.support.RestClient.enc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statefront.app.kafka.EmbeddedKafka;
import dev.statefront.core.JsonValues;
import dev.statefront.core.Position;
import dev.statefront.gateway.GatewayConfig;
import dev.statefront.gateway.GatewayServer;
import dev.statefront.processor.ProcessorConfig;
import dev.statefront.processor.ProcessorServer;
import dev.statefront.state.server.StateServer;
import dev.statefront.state.server.StateServerConfig;
import dev.statefront.testkit.OrderGenerator;
import dev.statefront.testkit.Oracle;
import dev.statefront.tests.support.Orders;
import dev.statefront.tests.support.RestClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Change streams over HTTP against the real pipeline (KRaft broker, processor, state server, gateway): SSE and
 * NDJSON subscribers start from the snapshot while orders flow, drop their connection mid-stream and resume with
 * their last token (SSE through {@code Last-Event-ID}, NDJSON through {@code from=}); every change is checked
 * against the folded row (no gap, no duplicate) and the folded result must equal the view and the oracle. A slow
 * subscriber overflows and is disconnected with a reason while the others go on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChangeStreamEndToEndTest {
    private static final int BEFORE = 20_000;
    private static final int DURING = 30_000;

    @TempDir
    static Path dir;
    private EmbeddedKafka kafka;
    private ProcessorServer processor;
    private StateServer stateServer;
    private GatewayServer gateway;
    private RestClient rest;
    private String base;
    private String bootstrap;
    private final Oracle oracle = new Oracle();
    private final OrderGenerator gen = new OrderGenerator(11, 3_000);

    @BeforeAll
    void startPipeline() throws Exception {
        kafka = new EmbeddedKafka(dir.resolve("kafka"), 0, 0);
        kafka.start();
        bootstrap = kafka.bootstrapServers();
        Orders.createTopic(bootstrap, "orders", 4);
        try (Orders orders = new Orders(bootstrap, "orders")) {
            for (int i = 0; i < BEFORE; i++) {
                var o = gen.next();
                oracle.add(o);
                orders.send(o);
            }
            orders.flush();
        }
        processor = new ProcessorServer(new ProcessorConfig(bootstrap, "statefront", dir.resolve("processor"),
                Orders.DEMO_SQL, 4, (short) 1, 200, Map.of()));
        processor.start();
        stateServer = new StateServer(new StateServerConfig(bootstrap, "statefront", dir.resolve("replica"),
                Map.of(), Duration.ofSeconds(5)));
        stateServer.start();
        gateway = new GatewayServer(new GatewayConfig("127.0.0.1", 0, bootstrap, "statefront", Map.of(), 1 << 20),
                stateServer);
        gateway.start();
        base = "http://127.0.0.1:" + gateway.port();
        rest = new RestClient(base);
        long deadline = System.currentTimeMillis() + 120_000;
        while (rest.get("/v1/views/customer_stats/rows/c-1").status() != 200) {
            assertTrue(System.currentTimeMillis() < deadline, "pipeline produced nothing in 120 s");
            Thread.sleep(100);
        }
    }

    @AfterAll
    void stopPipeline() {
        for (AutoCloseable c : new AutoCloseable[] {gateway, processor, stateServer, kafka}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    /** Reads a stream until {@code stopAfterChanges} changes (then drops it) or until {@code done} says so. */
    private String follow(StreamClient s, FoldedView view, int stopAfterChanges,
                          java.util.function.BooleanSupplier done) throws Exception {
        assertEquals(200, s.status);
        String token = null;
        int changes = 0;
        StreamClient.Event e;
        while ((e = s.next()) != null) {
            JsonNode d = e.data();
            switch (e.type()) {
                case "change" -> {
                    view.apply(d);
                    if (d.has("token")) {
                        token = d.get("token").asText();
                        assertTrue(e.id() == null || e.id().equals(token), "SSE id is the token");
                        changes++;
                    }
                }
                case "snapshot_complete" -> {
                    view.snapshotComplete = true;
                    token = d.get("token").asText();
                }
                case "heartbeat" -> {
                    if (d.has("token")) {
                        token = d.get("token").asText();
                    }
                    if (done.getAsBoolean()) {
                        s.close();
                        return token;
                    }
                }
                case "error" -> throw new AssertionError("stream ended: " + d);
                default -> throw new AssertionError("unknown event " + e);
            }
            if (stopAfterChanges > 0 && changes >= stopAfterChanges) {
                s.close();
                return token;
            }
        }
        return token;
    }

    @Test
    void shouldFoldSnapshotAndChangesIntoTheViewAcrossDisconnects() throws Exception {
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        Position[] produced = new Position[1];
        Thread producer = new Thread(() -> {
            try (Orders orders = new Orders(bootstrap, "orders")) {
                for (int i = 0; i < DURING; i++) {
                    var o = gen.next();
                    synchronized (oracle) {
                        oracle.add(o);
                    }
                    orders.send(o);
                    if (i % 300 == 0) {
                        Thread.sleep(20);
                    }
                }
                produced[0] = orders.flush();
            } catch (Throwable t) {
                producerFailure.set(t);
            }
        }, "orders-during");
        producer.start();

        FoldedView sseView = new FoldedView("customer_id");
        FoldedView ndView = new FoldedView("customer_id");
        String url = base + "/v1/views/customer_stats/changes?heartbeat_ms=200";
        // first connections: snapshot, some changes, then the connection drops
        String sseToken = follow(StreamClient.open(url + "&from=snapshot", true, null), sseView, 300, () -> false);
        String ndToken = follow(StreamClient.open(url, false, null), ndView, 500, () -> false);
        assertTrue(sseView.snapshotComplete && ndView.snapshotComplete);
        assertTrue(sseView.snapshotRows > 0, "the snapshot had rows");
        assertNotNull(sseToken);
        assertNotNull(ndToken);
        // second drop while changes still flow, to resume from a token twice
        sseToken = follow(StreamClient.open(url + "&from=snapshot", true, sseToken), sseView, 300, () -> false);
        ndToken = follow(StreamClient.open(url + "&from=" + enc(ndToken), false, null), ndView, 300, () -> false);

        producer.join(120_000);
        assertEquals(null, producerFailure.get());
        Map<String, JsonNode> expected = viewAt(produced[0]);
        assertEquals(oracle.customerStats().size(), expected.size());
        // resume once more and follow until the folded rows equal the view
        follow(StreamClient.open(url, true, sseToken), sseView, 0, () -> sseView.rows.equals(expected));
        follow(StreamClient.open(url + "&from=" + enc(ndToken), false, null), ndView, 0,
                () -> ndView.rows.equals(expected));
        assertEquals(expected, sseView.rows);
        assertEquals(expected, ndView.rows);
        for (Oracle.CustomerStats c : oracle.customerStats().values()) {
            JsonNode row = sseView.rows.get(c.customerId());
            assertEquals(c.orderCount(), row.get("order_count").asLong(), c.customerId());
            assertEquals(c.totalCents(), row.get("total_cents").asLong(), c.customerId());
            assertEquals(c.maxCents(), row.get("max_cents").asLong(), c.customerId());
            assertEquals(JsonValues.formatTimestamp(c.lastTs()), row.get("last_ts").asText(), c.customerId());
        }
        assertTrue(sseView.changes > 0 && ndView.changes > 0);
    }

    @Test
    void shouldDisconnectASlowSubscriberWithAReasonAndKeepServingTheOthers() throws Exception {
        long overflowsBefore = stateServer.subscriberOverflows();
        // a fast subscriber beside it, read all along on its own thread
        StreamClient fastStream = StreamClient.open(base + "/v1/views/customer_stats/changes?from=now&heartbeat_ms=200",
                true, null);
        java.util.concurrent.atomic.AtomicLong fastChanges = new java.util.concurrent.atomic.AtomicLong();
        AtomicReference<String> fastError = new AtomicReference<>();
        Thread fastReader = new Thread(() -> {
            try {
                StreamClient.Event e;
                while ((e = fastStream.next()) != null) {
                    if (e.type().equals("change")) {
                        fastChanges.incrementAndGet();
                    } else if (e.type().equals("error")) {
                        fastError.set(e.data().toString());
                    }
                }
            } catch (Exception e) {
                // closed by the test
            }
        }, "fast-subscriber");
        fastReader.start();
        try (Socket slow = new Socket()) {
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 5000);
            OutputStream out = slow.getOutputStream();
            out.write(("GET /v1/views/customer_stats/changes?from=now&buffer=20&format=ndjson HTTP/1.1\r\nHost: x\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long deadline = System.currentTimeMillis() + 90_000;
            try (Orders orders = new Orders(bootstrap, "orders")) {
                // the slow client reads nothing: its socket buffers fill, then its bounded buffer overflows
                while (stateServer.subscriberOverflows() == overflowsBefore) {
                    assertTrue(System.currentTimeMillis() < deadline, "slow subscriber never overflowed");
                    for (int i = 0; i < 2000; i++) {
                        var o = gen.next();
                        synchronized (oracle) {
                            oracle.add(o);
                        }
                        orders.send(o);
                    }
                    orders.flush();
                    Thread.sleep(50);
                }
            }
            // now it reads: what was buffered, then the reason, then the end of the response
            slow.setSoTimeout(30_000);
            String text = new String(slow.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String last = text.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse("");
            assertTrue(last.contains("\"OVERFLOW\""), () -> "last line: " + last);
            assertTrue(last.contains("read too slowly"), last);
        }
        // the fast subscriber was not disconnected and still receives changes
        long seen = fastChanges.get();
        long deadline = System.currentTimeMillis() + 30_000;
        try (Orders orders = new Orders(bootstrap, "orders")) {
            while (fastChanges.get() == seen) {
                assertTrue(System.currentTimeMillis() < deadline, "the fast subscriber stopped receiving");
                var o = gen.next();
                synchronized (oracle) {
                    oracle.add(o);
                }
                orders.send(o);
                orders.flush();
                Thread.sleep(100);
            }
        }
        assertEquals(null, fastError.get());
        assertEquals(overflowsBefore + 1, stateServer.subscriberOverflows());
        fastStream.close();
        fastReader.join(10_000);
    }

    private Map<String, JsonNode> viewAt(Position min) throws InterruptedException {
        Map<String, JsonNode> rows = new TreeMap<>();
        String cursor = null;
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) {
            RestClient.Response r = rest.get("/v1/views/customer_stats/rows?limit=1000&wait_ms=2000&min_position="
                    + enc(min.token()) + (cursor == null ? "" : "&cursor=" + enc(cursor)));
            if (r.status() == 503 && System.currentTimeMillis() < deadline) {
                continue;
            }
            assertEquals(200, r.status(), () -> r.body().toString());
            for (JsonNode row : r.body().get("rows")) {
                rows.put(row.get("customer_id").asText(), row);
            }
            JsonNode next = r.body().get("next_cursor");
            if (next == null || next.isNull()) {
                return rows;
            }
            cursor = next.asText();
        }
    }

    static List<String> lines(String s) {
        return new ArrayList<>(s.lines().toList());
    }
}
