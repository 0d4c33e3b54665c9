package dev.statefront.tests.changes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statefront.app.kafka.EmbeddedKafka;
import dev.statefront.core.JsonValues;
import dev.statefront.gateway.GatewayConfig;
import dev.statefront.gateway.GatewayServer;
import dev.statefront.processor.ProcessorConfig;
import dev.statefront.processor.ProcessorServer;
import dev.statefront.state.server.StateServer;
import dev.statefront.state.server.StateServerConfig;
import dev.statefront.tests.support.Orders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Measures change-stream delivery over SSE (not a test: prints figures). One process runs the embedded broker,
 * the processor, the state server and the gateway; N SSE subscribers follow a view {@code from=now} while orders
 * are produced at a fixed rate, each stamped with its send time. Latency = when a subscriber parsed the change
 * minus when the order was handed to the producer (produced → processed → committed → applied → streamed).
 *
 * <pre>scripts/measure-changes.sh [subscribers,...] [events/s] [seconds]</pre>
 */
public final class ChangeStreamBench {
    private static final String SQL = Orders.SOURCE_SQL + """
            CREATE MATERIALIZED VIEW latest_order AS SELECT customer_id, order_id, ts FROM orders;
            """;
    private static final int MAX_MS = 60_000;

    private ChangeStreamBench() {
    }

    public static void main(String[] args) throws Exception {
        int[] subscribers = java.util.Arrays.stream((args.length > 0 ? args[0] : "1,100,500").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Path dir = Files.createTempDirectory("statefront-change-bench");
        System.out.printf(Locale.ROOT, "change-stream delivery, %d cores, JVM heap %d MB, %d events/s for %d s per round%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, rate, seconds);
        try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0, 0)) {
            kafka.start();
            String bootstrap = kafka.bootstrapServers();
            Orders.createTopic(bootstrap, "orders", 4);
            try (ProcessorServer processor = new ProcessorServer(new ProcessorConfig(bootstrap, "statefront",
                         dir.resolve("processor"), SQL, 4, (short) 1, 200, Map.of()));
                 StateServer state = new StateServer(new StateServerConfig(bootstrap, "statefront",
                         dir.resolve("replica"), Map.of(), Duration.ofSeconds(5)));
                 GatewayServer gateway = new GatewayServer(new GatewayConfig("127.0.0.1", 0, bootstrap, "statefront",
                         Map.of(), 1 << 20), state);
                 Orders orders = new Orders(bootstrap, "orders")) {
                processor.start();
                state.start();
                gateway.start();
                String url = "http://127.0.0.1:" + gateway.port() + "/v1/views/latest_order/changes?from=now&heartbeat_ms=500";
                Random random = new Random(1);
                long seq = 0;
                // warm up: the view exists and the pipeline has run once
                while (state.view("latest_order").status() != dev.statefront.state.server.ReadStatus.OK) {
                    orders.sendRaw("c-0", order(seq++, "c-0"));
                    orders.flush();
                    Thread.sleep(200);
                }
                System.out.printf(Locale.ROOT, "%11s %9s %10s %10s %8s %8s %8s %9s%n", "subscribers", "events",
                        "delivered", "per-sub", "p50 ms", "p99 ms", "max ms", "overflows");
                for (int n : subscribers) {
                    seq = round(n, rate, seconds, url, orders, state, random, seq);
                }
            }
        }
    }

    private static long round(int n, int rate, int seconds, String url, Orders orders, StateServer state, Random random,
                              long seq) throws Exception {
        AtomicLongArray histogram = new AtomicLongArray(MAX_MS + 1);
        AtomicLong delivered = new AtomicLong();
        AtomicInteger ready = new AtomicInteger();
        List<StreamClient> streams = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        long overflowsBefore = state.subscriberOverflows();
        for (int i = 0; i < n; i++) {
            StreamClient s = StreamClient.open(url, true, null);
            streams.add(s);
            Thread t = new Thread(() -> {
                boolean counted = false;
                try {
                    StreamClient.Event e;
                    while ((e = s.next()) != null) {
                        if (!counted) {
                            ready.incrementAndGet();
                            counted = true;
                        }
                        if (e.type().equals("change")) {
                            JsonNode after = e.data().get("after");
                            long ms = System.currentTimeMillis() - JsonValues.parseTimestamp(after.get("ts").asText());
                            histogram.incrementAndGet((int) Math.max(0, Math.min(MAX_MS, ms)));
                            delivered.incrementAndGet();
                        }
                    }
                } catch (Exception ignored) {
                    // closed at the end of the round
                }
            }, "subscriber-" + i);
            t.setDaemon(true);
            t.start();
            readers.add(t);
        }
        long deadline = System.currentTimeMillis() + 60_000;
        while (ready.get() < n && System.currentTimeMillis() < deadline) {
            Thread.sleep(50); // every stream has seen its first heartbeat
        }
        long start = System.nanoTime();
        long events = (long) rate * seconds;
        for (long i = 0; i < events; i++) {
            long due = start + i * 1_000_000_000L / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            String customer = "c-" + random.nextInt(1_000_000);
            orders.sendRaw(customer, order(seq++, customer));
        }
        orders.flush();
        long expected = events * n;
        long settle = System.currentTimeMillis() + 15_000;
        while (delivered.get() < expected && System.currentTimeMillis() < settle) {
            Thread.sleep(100);
        }
        streams.forEach(StreamClient::close);
        for (Thread t : readers) {
            t.join(2000);
        }
        System.out.printf(Locale.ROOT, "%11d %9d %10d %10.0f %8d %8d %8d %9d%n", n, events, delivered.get(),
                (double) delivered.get() / n, percentile(histogram, 0.50), percentile(histogram, 0.99),
                percentile(histogram, 1.0), state.subscriberOverflows() - overflowsBefore);
        return seq;
    }

    private static String order(long seq, String customer) {
        return String.format(Locale.ROOT, "{\"order_id\":\"o-%d\",\"customer_id\":\"%s\",\"region\":\"eu-west\","
                + "\"amount_cents\":100,\"status\":\"placed\",\"ts\":%d}", seq, customer, System.currentTimeMillis());
    }

    private static long percentile(AtomicLongArray h, double q) {
        long total = 0;
        for (int i = 0; i < h.length(); i++) {
            total += h.get(i);
        }
        if (total == 0) {
            return -1;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < h.length(); i++) {
            seen += h.get(i);
            if (seen >= rank) {
                return i;
            }
        }
        return MAX_MS;
    }
}
