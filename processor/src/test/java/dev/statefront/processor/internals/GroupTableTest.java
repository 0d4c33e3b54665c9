package dev.statefront.processor.internals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link GroupTable} against a {@link HashMap} of the same keys, through growth, clears and shrinking. */
class GroupTableTest {
    private record Group(byte[] keyBytes, int keyHash) implements GroupTable.Keyed {
        static Group of(byte[] key) {
            return new Group(key, Arrays.hashCode(key));
        }
    }

    /** Looks a key up the way the processor does: from the front of a larger, reused buffer. */
    private static Group lookup(GroupTable<Group> table, byte[] key) {
        byte[] buffer = Arrays.copyOf(key, key.length + 13);
        Arrays.fill(buffer, key.length, buffer.length, (byte) 'x');
        return table.get(buffer, key.length, Arrays.hashCode(key));
    }

    @Test
    void shouldFindWhatWasAddedAndNothingElseInTheOrderItJoined() {
        GroupTable<Group> table = new GroupTable<>();
        Random rnd = new Random(11);
        for (int round = 0; round < 6; round++) {
            // large rounds grow the table; the small ones after them shrink it on clear
            int n = round % 2 == 0 ? 20_000 + rnd.nextInt(60_000) : rnd.nextInt(40);
            Map<String, Group> expected = new HashMap<>();
            List<Group> joined = new ArrayList<>();
            for (int i = 0; i < n * 3; i++) {
                byte[] key = ("c-" + rnd.nextInt(Math.max(1, n))).getBytes(StandardCharsets.UTF_8);
                Group found = lookup(table, key);
                Group known = expected.get(new String(key, StandardCharsets.UTF_8));
                assertSame(known, found, () -> "lookup of " + new String(key, StandardCharsets.UTF_8));
                if (found == null) {
                    Group g = Group.of(key);
                    table.add(g);
                    expected.put(new String(key, StandardCharsets.UTF_8), g);
                    joined.add(g);
                }
            }
            assertEquals(expected.size(), table.size());
            for (int i = 0; i < table.size(); i++) {
                assertSame(joined.get(i), table.at(i));
            }
            // a key that is a prefix or an extension of a stored one is a different key
            assertNull(lookup(table, "c-".getBytes(StandardCharsets.UTF_8)));
            assertNull(lookup(table, ("c-" + n + "0").getBytes(StandardCharsets.UTF_8)));
            table.clear();
            assertTrue(table.isEmpty());
            for (Group g : joined) {
                assertNull(lookup(table, g.keyBytes()));
            }
        }
    }

    @Test
    void shouldKeepKeysApartWhoseHashesCollide() {
        // "Aa" and "BB" have the same Arrays.hashCode, and so do every concatenation of them
        GroupTable<Group> table = new GroupTable<>();
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            StringBuilder sb = new StringBuilder();
            for (int bit = 0; bit < 8; bit++) {
                sb.append((i >> bit & 1) == 0 ? "Aa" : "BB");
            }
            keys.add(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(1, keys.stream().mapToInt(Arrays::hashCode).distinct().count());
        for (byte[] k : keys) {
            assertNull(lookup(table, k));
            table.add(Group.of(k));
        }
        for (int i = 0; i < keys.size(); i++) {
            assertSame(table.at(i), lookup(table, keys.get(i)));
        }
    }
}
