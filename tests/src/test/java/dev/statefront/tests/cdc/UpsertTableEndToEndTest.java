package dev.statefront.tests.cdc;

import dev.statefront.app.kafka.EmbeddedKafka;
import dev.statefront.processor.ProcessorConfig;
import dev.statefront.processor.ProcessorServer;
import dev.statefront.tests.support.Orders;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JSON upsert topic ({@code CREATE TABLE ... format = 'json'}, records keyed by the plain primary key, null
 * values delete) through the processor with 4 partitions: a repartitioned aggregate (group moves cross
 * partitions as retractions), a co-partitioned aggregate and a filtered projection. Views equal an oracle kept in
 * memory after random updates and tombstones, after retracting every group's MIN and MAX, and after a restart
 * whose state is restored from the changelogs.
 */
class UpsertTableEndToEndTest {
    private static final String[] REGIONS = {"eu", "us", "ap", "sa", "af"};
    private static final Duration CONVERGE = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private final Random rnd = new Random(23);
    private final Map<String, Object[]> rows = new HashMap<>(); // id -> {region, owner, balance}

    @Test
    void shouldKeepViewsExactUnderUpdatesTombstonesAndRestart() throws Exception {
        String app = "upsert";
        String topic = app + "-accounts";
        String sql = "CREATE TABLE accounts (id VARCHAR PRIMARY KEY, region VARCHAR, owner VARCHAR, balance BIGINT)\n"
                + "  WITH (topic = '" + topic + "', format = 'json');\n"
                + "CREATE MATERIALIZED VIEW by_region AS SELECT region, COUNT(*) AS n, SUM(balance) AS total,\n"
                + "  MIN(balance) AS lo, MAX(balance) AS hi, AVG(balance) AS mean, COUNT(DISTINCT owner) AS owners\n"
                + "  FROM accounts GROUP BY region;\n"
                + "CREATE MATERIALIZED VIEW per_account AS SELECT id, COUNT(*) AS n, MAX(balance) AS hi\n"
                + "  FROM accounts GROUP BY id;\n"
                + "CREATE MATERIALIZED VIEW positive AS SELECT id, region, balance FROM accounts WHERE balance > 0;\n";
        try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0, 0)) {
            kafka.start();
            String bootstrap = kafka.bootstrapServers();
            Orders.createTopic(bootstrap, topic, 4);
            ProcessorConfig config = new ProcessorConfig(bootstrap, app, dir.resolve("processor"), sql, 4, (short) 1,
                    200, Map.of());
            try (Orders producer = new Orders(bootstrap, topic)) {
                ProcessorServer processor = new ProcessorServer(config);
                processor.start();
                try (ViewReader views = new ViewReader(bootstrap, app, List.of("by_region", "per_account",
                        "positive"))) {
                    randomChanges(producer, 4000);
                    producer.flush();
                    assertViews(views);

                    retractExtremes(producer);
                    producer.flush();
                    assertViews(views);

                    processor.close();
                    randomChanges(producer, 1000);
                    producer.flush();
                    dev.statefront.tests.cdc.TestPostgres.deleteTree(dir.resolve("processor")); // restore from changelogs
                    processor = new ProcessorServer(config);
                    processor.start();
                    randomChanges(producer, 1000);
                    retractExtremes(producer);
                    producer.flush();
                    assertViews(views);
                } finally {
                    processor.close();
                }
            }
        }
    }

    private void randomChanges(Orders producer, int n) {
        for (int i = 0; i < n; i++) {
            String id = "a" + rnd.nextInt(400);
            if (rnd.nextInt(5) == 0) {
                producer.sendRaw(id, null); // deletes (also keys that are absent: a no-op)
                rows.remove(id);
            } else {
                upsert(producer, id, REGIONS[rnd.nextInt(REGIONS.length)], "o" + rnd.nextInt(9),
                        rnd.nextInt(2000) - 200L);
            }
        }
    }

    private void upsert(Orders producer, String id, String region, String owner, long balance) {
        producer.sendRaw(id, "{\"id\":\"" + id + "\",\"region\":\"" + region + "\",\"owner\":\"" + owner
                + "\",\"balance\":" + balance + "}");
        rows.put(id, new Object[] {region, owner, balance});
    }

    /** Per region: the MAX holder is deleted, the MIN holder raised to 450. */
    private void retractExtremes(Orders producer) {
        for (String region : REGIONS) {
            String max = null;
            String min = null;
            for (Map.Entry<String, Object[]> e : new TreeMap<>(rows).entrySet()) {
                if (!region.equals(e.getValue()[0])) {
                    continue;
                }
                long b = (Long) e.getValue()[2];
                if (max == null || b > (Long) rows.get(max)[2]) {
                    max = e.getKey();
                }
                if (min == null || b < (Long) rows.get(min)[2]) {
                    min = e.getKey();
                }
            }
            if (max != null) {
                producer.sendRaw(max, null);
                rows.remove(max);
            }
            if (min != null && !min.equals(max)) {
                upsert(producer, min, region, (String) rows.get(min)[1], 450);
            }
        }
    }

    private void assertViews(ViewReader views) throws Exception {
        views.awaitEquals("by_region", List.of("region"), this::byRegion, CONVERGE);
        views.awaitEquals("per_account", List.of("id"), () -> {
            List<Map<String, Object>> out = new ArrayList<>();
            rows.forEach((id, r) -> out.add(row("id", id, "n", 1L, "hi", r[2])));
            return out;
        }, CONVERGE);
        views.awaitEquals("positive", List.of("id"), () -> {
            List<Map<String, Object>> out = new ArrayList<>();
            rows.forEach((id, r) -> {
                if ((Long) r[2] > 0) {
                    out.add(row("id", id, "region", r[0], "balance", r[2]));
                }
            });
            return out;
        }, CONVERGE);
    }

    private List<Map<String, Object>> byRegion() {
        Map<String, List<Object[]>> groups = new TreeMap<>();
        rows.values().forEach(r -> groups.computeIfAbsent((String) r[0], k -> new ArrayList<>()).add(r));
        List<Map<String, Object>> out = new ArrayList<>();
        groups.forEach((region, g) -> {
            long total = g.stream().mapToLong(r -> (Long) r[2]).sum();
            Set<Object> owners = new HashSet<>();
            g.forEach(r -> owners.add(r[1]));
            out.add(row("region", region, "n", (long) g.size(), "total", total,
                    "lo", g.stream().mapToLong(r -> (Long) r[2]).min().orElseThrow(),
                    "hi", g.stream().mapToLong(r -> (Long) r[2]).max().orElseThrow(),
                    "mean", (double) total / g.size(), "owners", (long) owners.size()));
        });
        return out;
    }

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
