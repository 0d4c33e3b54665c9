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
 * @param view the view
 * @param partition the view partition
 * @param viewOffset the change topic offset a reader must have consumed up to (exclusive)
 * @param position the source positions reflected
 * @param asOfMs wall-clock instant up to which the processor had read all its source partitions
 * @param tsMs when the marker was written
 */
public record ProgressMarker(String view, int partition, long viewOffset, Position position, long asOfMs,
                             long tsMs) {

    /** The record key. */
    public byte[] key() {
        return (view + "/" + partition).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The JSON record value. */
    public byte[] toJson() {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("view", view);
        root.put("partition", partition);
        root.put("view_offset", viewOffset);
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
            return new ProgressMarker(root.path("view").asText(), root.path("partition").asInt(),
                    root.path("view_offset").asLong(), Position.fromMap(pos), root.path("as_of_ms").asLong(),
                    root.path("ts_ms").asLong());
        } catch (IOException | RuntimeException e) {
            throw new DecodeException("not a progress marker: " + e.getMessage(), e);
        }
    }
}
