package dev.statefront.tests.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A view rebuilt from its change stream, checking as it goes that the stream has no gap and no duplicate: each
 * change's {@code before} must be exactly the row folded so far (a lost or repeated change breaks that chain), and
 * per partition change-topic offsets only grow.
 */
final class FoldedView {
    final Map<String, JsonNode> rows = new TreeMap<>();
    private final Map<Integer, Long> lastOffset = new HashMap<>();
    private final String keyColumn;
    long snapshotRows;
    long changes;
    boolean snapshotComplete;

    FoldedView(String keyColumn) {
        this.keyColumn = keyColumn;
    }

    void apply(JsonNode e) {
        String op = e.get("op").asText();
        String key = e.get("key").get(keyColumn).asText();
        if (op.equals("r")) {
            assertFalse(snapshotComplete, "snapshot row after the snapshot-complete marker");
            rows.put(key, e.get("after"));
            snapshotRows++;
            return;
        }
        changes++;
        int p = e.get("source").get("partition").asInt();
        long offset = e.get("source").get("offset").asLong();
        Long last = lastOffset.put(p, offset);
        assertTrue(last == null || offset > last, () -> "partition " + p + " offset " + offset + " after " + last);
        JsonNode before = e.get("before");
        JsonNode current = rows.get(key);
        if (op.equals("c")) {
            assertTrue(current == null, () -> "create of existing key " + key + " at offset " + offset);
        } else {
            assertEquals(current, before.isNull() ? null : before, "before of " + op + " " + key + " at " + p + "@"
                    + offset + " is not the folded row: a change was lost or repeated");
        }
        if (op.equals("d")) {
            rows.remove(key);
        } else {
            rows.put(key, e.get("after"));
        }
    }
}
