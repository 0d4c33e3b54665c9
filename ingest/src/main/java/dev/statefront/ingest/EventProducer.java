package dev.statefront.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Column;
import dev.statefront.core.DecodeException;
import dev.statefront.core.Json;
import dev.statefront.core.JsonValues;
import dev.statefront.core.Position;
import dev.statefront.core.Schema;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes JSON events into a source's topic with one idempotent producer ({@code acks=all}). Events are validated
 * against the source's columns first: if any is bad, none is written. The record key is the source's key column
 * value as a string (so Kafka's default partitioner places it as any other producer keyed by that column would),
 * the record value is the event's JSON. Thread-safe.
 */
public final class EventProducer implements EventSink, AutoCloseable {
    /** How long {@link #produce} waits for acknowledgements, beyond the producer's own delivery timeout. */
    private static final Duration ACK_WAIT = Duration.ofSeconds(60);

    private final KafkaProducer<byte[], byte[]> producer;

    /**
     * A producer for a cluster.
     *
     * @param bootstrapServers Kafka bootstrap servers
     * @param clientId the client id (for broker logs and quotas)
     * @param overrides extra producer settings, applied last (may be null)
     */
    public EventProducer(String bootstrapServers, String clientId, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Objects.requireNonNull(bootstrapServers, "bootstrapServers"));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // a missing topic should fail a request in seconds, not hang it for the default minute
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        if (overrides != null) {
            props.putAll(overrides);
        }
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(props);
    }

    /**
     * Validates events against a source's columns: each must be a JSON object whose fields fit their columns
     * (for a Debezium-format source, the {@code after} row of the envelope is checked).
     *
     * @return every bad event's index and reason; empty if all are good
     */
    public static List<EventViolation> validate(CatalogEntry source, List<JsonNode> events) {
        List<EventViolation> violations = new ArrayList<>();
        List<Column> columns = source.schema().columns();
        boolean debezium = isDebezium(source);
        for (int i = 0; i < events.size(); i++) {
            JsonNode event = events.get(i);
            try {
                if (event == null || !event.isObject()) {
                    throw new DecodeException("an event must be a JSON object, got "
                            + (event == null ? "nothing" : event.getNodeType().name().toLowerCase(Locale.ROOT)));
                }
                JsonNode row = debezium ? debeziumAfter(event) : event;
                if (row != null) {
                    JsonValues.rowFromJson(columns, row);
                }
            } catch (DecodeException e) {
                violations.add(new EventViolation(i, e.getMessage()));
            }
        }
        return violations;
    }

    /**
     * The record key of an event: the source's key column value as a string (a composite key as a JSON array),
     * or null for a keyless source or a null key value.
     */
    public static byte[] recordKey(CatalogEntry source, JsonNode event) {
        List<String> keyColumns = keyColumns(source);
        if (keyColumns.isEmpty()) {
            return null;
        }
        JsonNode row = isDebezium(source) ? debeziumRowForKey(event) : event;
        if (row == null) {
            return null;
        }
        if (keyColumns.size() == 1) {
            JsonNode v = field(row, keyColumns.get(0));
            if (v == null || v.isNull()) {
                return null;
            }
            String text = v.isNumber() && v.isFloatingPointNumber() ? v.decimalValue().toPlainString() : v.asText();
            return text.getBytes(StandardCharsets.UTF_8);
        }
        ArrayNode arr = Json.mapper().createArrayNode();
        for (String k : keyColumns) {
            JsonNode v = field(row, k);
            arr.add(v == null ? arr.nullNode() : v);
        }
        return arr.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Validates, then writes the events to the source topic and waits for their acknowledgements.
     *
     * @param source the source's catalog entry
     * @param events the events, each a JSON object
     * @return per event its partition and offset, and the position to read them with
     * @throws EventValidationException if any event is bad; nothing is then written
     * @throws IngestException if Kafka does not acknowledge every event in time; some may have been written
     */
    @Override
    public ProduceResult produce(CatalogEntry source, List<JsonNode> events) {
        List<EventViolation> violations = validate(source, events);
        if (!violations.isEmpty()) {
            throw new EventValidationException(source.name(), violations);
        }
        String topic = source.topic();
        List<Future<RecordMetadata>> futures = new ArrayList<>(events.size());
        try {
            for (JsonNode event : events) {
                byte[] value = Json.mapper().writeValueAsBytes(event);
                futures.add(producer.send(new ProducerRecord<>(topic, recordKey(source, event), value)));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize an event of source '" + source.name() + "'", e);
        } catch (RuntimeException e) {
            throw new IngestException("cannot write " + events.size() + " event(s) of source '" + source.name()
                    + "' to topic " + topic + ": " + e.getMessage(), e);
        }
        producer.flush();
        List<RecordOffset> offsets = new ArrayList<>(events.size());
        Position position = Position.EMPTY;
        long deadline = System.nanoTime() + ACK_WAIT.toNanos();
        for (int i = 0; i < futures.size(); i++) {
            try {
                RecordMetadata md = futures.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                offsets.add(new RecordOffset(md.partition(), md.offset()));
                position = position.with(topic, md.partition(), md.offset() + 1);
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                throw new IngestException("event #" + i + " of source '" + source.name() + "' was not acknowledged "
                        + "by topic " + topic + " (" + offsets.size() + " of " + events.size() + " were): " + cause,
                        cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IngestException("interrupted waiting for acknowledgements from topic " + topic, e);
            }
        }
        return new ProduceResult(source.name(), topic, offsets, position);
    }

    private static List<String> keyColumns(CatalogEntry source) {
        Schema schema = source.schema();
        if (schema.keySize() > 0) {
            return schema.keyColumnNames();
        }
        String key = source.options().get("key");
        return key == null || key.isBlank() ? List.of() : List.of(key.trim());
    }

    private static boolean isDebezium(CatalogEntry source) {
        String format = source.options().getOrDefault("format", "json");
        return format.toLowerCase(Locale.ROOT).contains("debezium");
    }

    /** The {@code after} row of a Debezium envelope (with or without the schema wrapper); null for a delete. */
    private static JsonNode debeziumAfter(JsonNode event) {
        JsonNode env = event.has("payload") && event.get("payload").isObject() ? event.get("payload") : event;
        JsonNode after = env.get("after");
        if (after == null && !env.has("before")) {
            throw new DecodeException("a Debezium event needs an 'after' (or 'before' for a delete) object");
        }
        return after == null || after.isNull() ? null : after;
    }

    private static JsonNode debeziumRowForKey(JsonNode event) {
        JsonNode env = event.has("payload") && event.get("payload").isObject() ? event.get("payload") : event;
        JsonNode after = env.get("after");
        return after != null && after.isObject() ? after : env.get("before");
    }

    private static JsonNode field(JsonNode row, String name) {
        JsonNode v = row.get(name);
        if (v != null) {
            return v;
        }
        var it = row.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Flushes and closes the producer, waiting at most 10 s. */
    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
