package dev.statefront.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A processor's statement, written in the same transaction as the changes it covers: "once partition
 * {@code partition} of view {@code view}'s change topic has been read up to (not including) offset
 * {@code viewOffset}, the view reflects source {@code position}, and is complete as of {@code asOfMs}".
 * Published on {@link Topics#progress}, keyed by {@code view/partition}.
 *
 * <p>A processor does not wait for the broker to acknowledge a transaction's changes before it writes the
 * marker, so it does not know where they end. Such a marker ({@code changes}) carries where they start instead:
 * the offset after the partition's previous committed change. It is reached once a change at or after that offset
 * has been applied. Readers apply a transaction's changes of a partition all at once (the last one lacks
 * {@link ChangeEventCodec#MORE_HEADER}), and the first transaction with changes there is this one. The
 * offset after the last record read is not enough: reading past the previous transaction's commit marker, a
 * control record that may sit at that very offset, moves it too.
 *
 * @param view the view
 * @param partition the view partition
 * @param viewOffset without {@code changes}: the change topic offset a reader must have consumed up to
 *     (exclusive); with them: the offset the transaction's changes start at, at the earliest
 * @param position the source positions reflected
 * @param asOfMs wall-clock instant up to which the processor had read all its source partitions
 * @param tsMs when the marker was written
 * @param changes whether the transaction wrote changes to this partition whose end {@code viewOffset} does not say
 */
public record ProgressMarker(String view, int partition, long viewOffset, Position position, long asOfMs,
                             long tsMs, boolean changes) {

    /** A marker that says where the changes it covers end (a transaction without changes, or one handed over). */
    public ProgressMarker(String view, int partition, long viewOffset, Position position, long asOfMs, long tsMs) {
        this(view, partition, viewOffset, position, asOfMs, tsMs, false);
    }

    /**
     * Whether a reader of the partition has applied what this marker covers.
     *
     * @param nextOffset the offset after the last record the reader read (changes or transaction markers)
     * @param nextChangeOffset the offset after the last change the reader applied
     */
    public boolean reachedBy(long nextOffset, long nextChangeOffset) {
        return changes ? nextChangeOffset > viewOffset : viewOffset <= nextOffset;
    }

    /** The record key. */
    public byte[] key() {
        return (view + "/" + partition).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The JSON record value. */
    public byte[] toJson() {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("view", view);
        root.put("partition", partition);
        root.put(changes ? "changes_from" : "view_offset", viewOffset);
        ObjectNode pos = root.putObject("position");
        position.asMap().forEach(pos::put);
        root.put("as_of_ms", asOfMs);
        root.put("ts_ms", tsMs);
        try {
            return Json.mapper().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode progress marker", e);
        }
    }

    /**
     * Reads a JSON record value.
     *
     * @throws DecodeException if it is not a progress marker
     */
    public static ProgressMarker fromJson(byte[] bytes) {
        try {
            JsonNode root = Json.mapper().readTree(bytes);
            Map<String, Long> pos = new LinkedHashMap<>();
            root.path("position").fields().forEachRemaining(e -> pos.put(e.getKey(), e.getValue().asLong()));
            boolean changes = root.has("changes_from");
            return new ProgressMarker(root.path("view").asText(), root.path("partition").asInt(),
                    root.path(changes ? "changes_from" : "view_offset").asLong(), Position.fromMap(pos),
                    root.path("as_of_ms").asLong(), root.path("ts_ms").asLong(), changes);
        } catch (IOException | RuntimeException e) {
            throw new DecodeException("not a progress marker: " + e.getMessage(), e);
        }
    }
}
