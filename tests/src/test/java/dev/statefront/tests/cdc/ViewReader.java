package dev.statefront.tests.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statefront.core.Json;
import dev.statefront.core.JsonValues;
import dev.statefront.core.Topics;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A view as its change topic says (read_committed, from the beginning): the last {@code after} of each key,
 * deletes removed. Views are compared with an oracle as canonical strings per column, typed by the oracle's
 * values (Long, Double, BigDecimal, String, or a Long of epoch millis for a TIMESTAMP column named {@code ts_*}).
 */
final class ViewReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Map<String, JsonNode>> views = new HashMap<>();
    private final String appId;

    ViewReader(String bootstrap, String appId, List<String> viewNames) {
        this.appId = appId;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (String v : viewNames) {
            String topic = Topics.viewChanges(appId, v);
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            views.put(topic, new TreeMap<>());
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
    }

    /** Reads what is there now; returns the view's rows by key JSON. */
    Map<String, JsonNode> rows(String view) throws IOException {
        for (int i = 0; i < 3; i++) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.value() == null) {
                    continue;
                }
                String key = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                JsonNode after = Json.mapper().readTree(r.value()).get("after");
                Map<String, JsonNode> rows = views.get(r.topic());
                if (after == null || after.isNull()) {
                    rows.remove(key);
                } else {
                    rows.put(key, after);
                }
            }
        }
        return views.get(Topics.viewChanges(appId, view));
    }

    /**
     * Waits until the view equals what {@code oracle} computes (recomputed on each try, so the oracle may read a
     * database), failing with the difference after {@code timeout}.
     *
     * @param keyColumns the view's key columns, in order
     */
    void awaitEquals(String view, List<String> keyColumns, Callable<List<Map<String, Object>>> oracle,
                     Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Map<String, String>> expected;
        Map<String, Map<String, String>> actual;
        do {
            List<Map<String, Object>> rows = oracle.call();
            expected = new TreeMap<>();
            Map<String, Object> types = new HashMap<>();
            for (Map<String, Object> row : rows) {
                expected.put(keyOf(row, keyColumns), canonical(row));
                row.forEach((k, v) -> {
                    if (v != null) {
                        types.put(k, v);
                    }
                });
            }
            actual = new TreeMap<>();
            for (JsonNode after : rows(view).values()) {
                Map<String, String> row = new TreeMap<>();
                after.fields().forEachRemaining(e -> row.put(e.getKey(), canonical(e.getValue(), types.get(e.getKey()))));
                actual.put(keyOfJson(after, keyColumns), row);
            }
            if (expected.equals(actual)) {
                return;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        assertEquals(expected, actual, "view " + view + " does not equal its oracle after " + timeout.toSeconds() + " s");
    }

    private static String keyOf(Map<String, Object> row, List<String> keyColumns) {
        StringBuilder b = new StringBuilder();
        for (String k : keyColumns) {
            b.append(row.get(k)).append('|');
        }
        return b.toString();
    }

    private static String keyOfJson(JsonNode row, List<String> keyColumns) {
        StringBuilder b = new StringBuilder();
        for (String k : keyColumns) {
            JsonNode v = row.get(k);
            b.append(v == null || v.isNull() ? "null" : v.isTextual() ? v.textValue() : v.toString()).append('|');
        }
        return b.toString();
    }

    private static Map<String, String> canonical(Map<String, Object> row) {
        Map<String, String> out = new TreeMap<>();
        row.forEach((k, v) -> out.put(k, k.startsWith("ts_") && v instanceof Long l ? JsonValues.formatTimestamp(l)
                : canonicalValue(v)));
        return out;
    }

    private static String canonicalValue(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof BigDecimal d) {
            return d.stripTrailingZeros().toPlainString();
        }
        if (v instanceof Double d) {
            return Double.toString(d);
        }
        return v.toString();
    }

    private static String canonical(JsonNode v, Object like) {
        if (v == null || v.isNull()) {
            return "null";
        }
        if (like instanceof BigDecimal) {
            return v.decimalValue().stripTrailingZeros().toPlainString();
        }
        if (like instanceof Double) {
            return Double.toString(v.asDouble());
        }
        return v.isTextual() ? v.textValue() : v.toString();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
