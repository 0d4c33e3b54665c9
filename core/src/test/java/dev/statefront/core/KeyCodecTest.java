package dev.statefront.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyCodecTest {
    private static final int N = 3000;

    /** SQL order, written independently of the encoding: NULL first, then the natural order of the type. */
    private static int sqlCompare(ColumnType type, Object a, Object b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : -1) : 1;
        }
        return switch (type.kind()) {
            case BOOLEAN -> Boolean.compare((Boolean) a, (Boolean) b);
            case INT -> Integer.compare((Integer) a, (Integer) b);
            case BIGINT, TIMESTAMP -> Long.compare((Long) a, (Long) b);
            case DOUBLE -> {
                double x = (Double) a == 0.0 ? 0.0 : (Double) a;
                double y = (Double) b == 0.0 ? 0.0 : (Double) b;
                yield Double.compare(x, y);
            }
            case DECIMAL -> ((BigDecimal) a).compareTo((BigDecimal) b);
            // byte order of UTF-8 = code point order (like COLLATE "C")
            case VARCHAR -> Arrays.compareUnsigned(((String) a).getBytes(StandardCharsets.UTF_8),
                    ((String) b).getBytes(StandardCharsets.UTF_8));
        };
    }

    private static Object randomValue(Random rnd, ColumnType type) {
        if (rnd.nextInt(10) == 0) {
            return null;
        }
        return switch (type.kind()) {
            case BOOLEAN -> rnd.nextBoolean();
            case INT -> switch (rnd.nextInt(4)) {
                case 0 -> Integer.MIN_VALUE + rnd.nextInt(3);
                case 1 -> Integer.MAX_VALUE - rnd.nextInt(3);
                default -> rnd.nextInt(2001) - 1000;
            };
            case BIGINT, TIMESTAMP -> switch (rnd.nextInt(4)) {
                case 0 -> Long.MIN_VALUE + rnd.nextInt(3);
                case 1 -> Long.MAX_VALUE - rnd.nextInt(3);
                case 2 -> rnd.nextLong();
                default -> (long) (rnd.nextInt(2001) - 1000);
            };
            case DOUBLE -> switch (rnd.nextInt(8)) {
                case 0 -> -0.0;
                case 1 -> 0.0;
                case 2 -> Double.NEGATIVE_INFINITY;
                case 3 -> Double.POSITIVE_INFINITY;
                case 4 -> Double.MIN_VALUE * (rnd.nextBoolean() ? 1 : -1);
                case 5 -> Double.NaN;
                default -> (rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(20) - 10);
            };
            case DECIMAL -> new BigDecimal(new java.math.BigInteger(rnd.nextInt(120) + 1, rnd)
                    .multiply(java.math.BigInteger.valueOf(rnd.nextBoolean() ? 1 : -1)), type.scale());
            case VARCHAR -> randomString(rnd);
        };
    }

    private static String randomString(Random rnd) {
        int len = rnd.nextInt(6);
        StringBuilder sb = new StringBuilder();
        char[] alphabet = {'\0', 'a', 'b', 'z', '\u00e9', '\uFFFF', '\u0001', 'A'};
        for (int i = 0; i < len; i++) {
            if (rnd.nextInt(20) == 0) {
                sb.appendCodePoint(0x1F600); // outside the BMP: UTF-8 order differs from UTF-16 order here
            } else {
                sb.append(alphabet[rnd.nextInt(alphabet.length)]);
            }
        }
        return sb.toString();
    }

    private static void assertOrderMatchesSql(List<ColumnType> types, long seed) {
        Random rnd = new Random(seed);
        List<Object[]> keys = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            Object[] k = new Object[types.size()];
            for (int c = 0; c < k.length; c++) {
                k[c] = randomValue(rnd, types.get(c));
            }
            keys.add(k);
        }
        Comparator<Object[]> sql = (a, b) -> {
            for (int c = 0; c < types.size(); c++) {
                int r = sqlCompare(types.get(c), a[c], b[c]);
                if (r != 0) {
                    return r;
                }
            }
            return 0;
        };
        for (int i = 0; i + 1 < keys.size(); i++) {
            Object[] a = keys.get(i);
            Object[] b = keys.get(i + 1);
            byte[] ea = KeyCodec.encode(types, a);
            byte[] eb = KeyCodec.encode(types, b);
            assertEquals(Integer.signum(sql.compare(a, b)), Integer.signum(KeyCodec.compare(ea, eb)),
                    () -> "order of " + Arrays.toString(a) + " vs " + Arrays.toString(b) + " for " + types);
            Object[] back = KeyCodec.decode(types, ea);
            assertEquals(0, sql.compare(a, back), () -> "round trip of " + Arrays.toString(a));
        }
    }

    @Test
    void shouldSortEverySingleTypeLikeSql() {
        List<ColumnType> all = List.of(ColumnType.BOOLEAN, ColumnType.INT, ColumnType.BIGINT, ColumnType.DOUBLE,
                ColumnType.decimal(38, 4), ColumnType.decimal(10, 0), ColumnType.VARCHAR, ColumnType.TIMESTAMP);
        long seed = 1;
        for (ColumnType t : all) {
            assertOrderMatchesSql(List.of(t), seed++);
        }
    }

    @Test
    void shouldSortCompositeKeysColumnByColumn() {
        assertOrderMatchesSql(List.of(ColumnType.VARCHAR, ColumnType.VARCHAR), 11);
        assertOrderMatchesSql(List.of(ColumnType.VARCHAR, ColumnType.BIGINT, ColumnType.DOUBLE), 12);
        assertOrderMatchesSql(List.of(ColumnType.BOOLEAN, ColumnType.VARCHAR, ColumnType.TIMESTAMP,
                ColumnType.decimal(20, 2)), 13);
        assertOrderMatchesSql(List.of(ColumnType.INT, ColumnType.VARCHAR), 14);
    }

    @Test
    void shouldSortNumbersNumericallyNotAsText() {
        List<ColumnType> t = List.of(ColumnType.BIGINT);
        assertTrue(KeyCodec.compare(KeyCodec.encode(t, new Object[] {9L}), KeyCodec.encode(t, new Object[] {10L})) < 0);
        assertTrue(KeyCodec.compare(KeyCodec.encode(t, new Object[] {-1L}), KeyCodec.encode(t, new Object[] {0L})) < 0);
        assertTrue(KeyCodec.compare(KeyCodec.encode(t, new Object[] {null}), KeyCodec.encode(t, new Object[] {Long.MIN_VALUE})) < 0);
    }

    @Test
    void shouldMakePrefixesOfLeadingColumnsAndStrings() {
        List<ColumnType> t = List.of(ColumnType.VARCHAR, ColumnType.VARCHAR);
        byte[] full = KeyCodec.encode(t, new Object[] {"eu-west", "placed"});
        byte[] other = KeyCodec.encode(t, new Object[] {"eu-westish", "placed"});
        byte[] col = KeyCodec.encodePrefix(t, new Object[] {"eu-west"}, false);
        byte[] str = KeyCodec.encodePrefix(t, new Object[] {"eu-w"}, true);
        assertTrue(startsWith(full, col));
        assertTrue(!startsWith(other, col), "a whole-column prefix must not match a longer string");
        assertTrue(startsWith(full, str) && startsWith(other, str));
        byte[] end = KeyCodec.prefixEnd(str);
        assertTrue(KeyCodec.compare(full, end) < 0 && KeyCodec.compare(other, end) < 0);
        byte[] after = KeyCodec.encode(t, new Object[] {"eu-x", ""});
        assertTrue(KeyCodec.compare(after, end) >= 0);
        byte[] mixed = KeyCodec.encodePrefix(t, new Object[] {"eu-west", "pl"}, true);
        assertTrue(startsWith(full, mixed));
    }

    @Test
    void shouldRejectBadKeys() {
        List<ColumnType> t = List.of(ColumnType.BIGINT);
        assertThrows(IllegalArgumentException.class, () -> KeyCodec.encode(t, new Object[] {"x"}));
        assertThrows(IllegalArgumentException.class, () -> KeyCodec.encode(t, new Object[] {1L, 2L}));
        assertThrows(IllegalArgumentException.class, () -> KeyCodec.decode(t, new byte[] {1, 2}));
        assertNull(KeyCodec.prefixEnd(new byte[] {(byte) 0xFF, (byte) 0xFF}));
        assertArrayEquals(new byte[] {1, 3}, KeyCodec.prefixEnd(new byte[] {1, 2, (byte) 0xFF}));
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        return a.length >= prefix.length && Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length);
    }
}
