package dev.statefront.core;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Source positions that some state reflects: for each source topic-partition, the offset of the next record
 * not yet reflected (Kafka's committed-offset convention). Immutable. Exchanged with clients as an opaque
 * {@link #token()}.
 */
public final class Position {
    /** No positions at all: covered by everything. */
    public static final Position EMPTY = new Position(new TreeMap<>());

    private static final String TOKEN_PREFIX = "p1.";

    private final TreeMap<String, Long> offsets; // key: topic + '/' + partition

    private Position(TreeMap<String, Long> offsets) {
        this.offsets = offsets;
    }

    /** A position holding one topic-partition. */
    public static Position of(String topic, int partition, long nextOffset) {
        TreeMap<String, Long> m = new TreeMap<>();
        m.put(key(topic, partition), nextOffset);
        return new Position(m);
    }

    /** A position from {@code "topic/partition" -> next offset} entries. */
    public static Position fromMap(Map<String, Long> offsets) {
        TreeMap<String, Long> m = new TreeMap<>();
        offsets.forEach((k, v) -> {
            int slash = k.lastIndexOf('/');
            if (slash <= 0) {
                throw new IllegalArgumentException("position entry '" + k + "' is not topic/partition");
            }
            Integer.parseInt(k.substring(slash + 1));
            m.put(k, v);
        });
        return new Position(m);
    }

    /** The map form, {@code "topic/partition" -> next offset}, sorted. */
    public Map<String, Long> asMap() {
        return Collections.unmodifiableMap(offsets);
    }

    /** The offset for a topic-partition, or -1 if this position says nothing about it. */
    public long offset(String topic, int partition) {
        Long v = offsets.get(key(topic, partition));
        return v == null ? -1 : v;
    }

    public boolean isEmpty() {
        return offsets.isEmpty();
    }

    /** This position with one entry raised to at least {@code nextOffset}. */
    public Position with(String topic, int partition, long nextOffset) {
        String k = key(topic, partition);
        Long old = offsets.get(k);
        if (old != null && old >= nextOffset) {
            return this;
        }
        TreeMap<String, Long> m = new TreeMap<>(offsets);
        m.put(k, nextOffset);
        return new Position(m);
    }

    /** The entry-wise maximum of two positions. */
    public Position merge(Position other) {
        if (other.offsets.isEmpty()) {
            return this;
        }
        if (offsets.isEmpty()) {
            return other; // immutable: sharing it is safe, and merging into EMPTY is the common start of a fold
        }
        TreeMap<String, Long> m = new TreeMap<>(offsets);
        other.offsets.forEach((k, v) -> m.merge(k, v, Math::max));
        return new Position(m);
    }

    /**
     * True if this position reflects everything {@code required} does: for each of its topic-partitions this
     * one is at or past the offset. A topic-partition this position does not know counts as offset 0.
     */
    public boolean covers(Position required) {
        for (Map.Entry<String, Long> e : required.offsets.entrySet()) {
            Long mine = offsets.get(e.getKey());
            if ((mine == null ? 0L : mine) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** The entries of {@code required} this position does not yet cover, with how far behind each is. */
    public Map<String, Long> missing(Position required) {
        TreeMap<String, Long> gaps = new TreeMap<>();
        for (Map.Entry<String, Long> e : required.offsets.entrySet()) {
            long mine = offsets.getOrDefault(e.getKey(), 0L);
            if (mine < e.getValue()) {
                gaps.put(e.getKey(), e.getValue() - mine);
            }
        }
        return gaps;
    }

    /** The opaque token clients pass back as {@code min_position}. */
    public String token() {
        StringBuilder sb = new StringBuilder();
        offsets.forEach((k, v) -> {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(k).append('=').append(v);
        });
        return TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Parses a token made by {@link #token()}.
     *
     * @throws IllegalArgumentException with a message fit for a client if the token is not one
     */
    public static Position fromToken(String token) {
        Parsed last = lastParsed;
        if (last != null && last.token.equals(token)) {
            return last.position; // a transaction's change records all carry the same position
        }
        Position p = parseToken(token);
        lastParsed = new Parsed(token, p);
        return p;
    }

    /** The last token parsed, with its position (positions are immutable, so sharing one is safe). */
    private record Parsed(String token, Position position) {
    }

    private static volatile Parsed lastParsed;

    private static Position parseToken(String token) {
        if (token == null || !token.startsWith(TOKEN_PREFIX)) {
            throw new IllegalArgumentException("'" + token + "' is not a position token (tokens come from the "
                    + "'position' field of an answer)");
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(token.substring(TOKEN_PREFIX.length())),
                    StandardCharsets.UTF_8);
            TreeMap<String, Long> m = new TreeMap<>();
            if (!text.isEmpty()) {
                for (String part : text.split(",")) {
                    int eq = part.lastIndexOf('=');
                    String k = part.substring(0, eq);
                    Integer.parseInt(k.substring(k.lastIndexOf('/') + 1));
                    m.put(k, Long.parseLong(part.substring(eq + 1)));
                }
            }
            return new Position(m);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + token + "' is not a valid position token", e);
        }
    }

    private static String key(String topic, int partition) {
        return topic + '/' + partition;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Position p && p.offsets.equals(offsets);
    }

    @Override
    public int hashCode() {
        return Objects.hash(offsets);
    }

    @Override
    public String toString() {
        return offsets.toString();
    }
}
