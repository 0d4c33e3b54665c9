package dev.statefront.testkit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One result line in the shared bench's format: a compact JSON object starting with {@code label} and
 * {@code phase}, which the bench's Report groups by. Numbers that are not finite become JSON {@code null}
 * (a bare NaN would make the line unreadable for Report).
 */
public final class PhaseLine {
    static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode node = JSON.createObjectNode();

    private PhaseLine(String label, String phase) {
        node.put("label", label);
        node.put("phase", phase);
    }

    /** A line for {@code label} (the system) and {@code phase}. */
    public static PhaseLine of(String label, String phase) {
        return new PhaseLine(label, phase);
    }

    /** Adds a whole number. */
    public PhaseLine put(String field, long value) {
        node.put(field, value);
        return this;
    }

    /** Adds a text. */
    public PhaseLine put(String field, String value) {
        node.put(field, value);
        return this;
    }

    /** Adds a boolean. */
    public PhaseLine put(String field, boolean value) {
        node.put(field, value);
        return this;
    }

    /** Adds a number rounded to {@code decimals} places, or null when it is not finite. */
    public PhaseLine put(String field, double value, int decimals) {
        if (Double.isFinite(value)) {
            node.put(field, Math.round(value * Math.pow(10, decimals)) / Math.pow(10, decimals));
        } else {
            node.putNull(field);
        }
        return this;
    }

    /** Adds a duration in milliseconds (3 decimals: microseconds). */
    public PhaseLine millis(String field, double ms) {
        return put(field, ms, 3);
    }

    /** The compact JSON text. */
    @Override
    public String toString() {
        return node.toString();
    }
}
