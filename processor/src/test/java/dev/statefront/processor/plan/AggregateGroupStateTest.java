package dev.statefront.processor.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.core.ColumnType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AggregateGroupStateTest {
    private static final ColumnType DEC = ColumnType.decimal(10, 2);

    private static AggregateCall call(AggregateFunction f, ColumnType input) {
        return call(f, input, false);
    }

    private static AggregateCall call(AggregateFunction f, ColumnType input, boolean distinct) {
        return new AggregateCall(f, distinct, input, AggregateCall.resultTypeOf(f, input));
    }

    private static final List<AggregateCall> CALLS = List.of(
            call(AggregateFunction.COUNT_STAR, ColumnType.BOOLEAN),
            call(AggregateFunction.COUNT, ColumnType.VARCHAR),
            call(AggregateFunction.COUNT, ColumnType.VARCHAR, true),
            call(AggregateFunction.SUM, ColumnType.INT),
            call(AggregateFunction.SUM, ColumnType.BIGINT),
            call(AggregateFunction.SUM, ColumnType.DOUBLE),
            call(AggregateFunction.SUM, DEC),
            call(AggregateFunction.AVG, ColumnType.INT),
            call(AggregateFunction.AVG, ColumnType.DOUBLE),
            call(AggregateFunction.AVG, DEC),
            call(AggregateFunction.MIN, ColumnType.INT),
            call(AggregateFunction.MAX, ColumnType.INT),
            call(AggregateFunction.MIN, ColumnType.VARCHAR),
            call(AggregateFunction.MAX, DEC),
            call(AggregateFunction.MAX, ColumnType.TIMESTAMP),
            call(AggregateFunction.SUM, ColumnType.BIGINT, true),
            call(AggregateFunction.AVG, ColumnType.BIGINT, true));

    private static AggregateGroupState roundTrip(AggregateGroupState s, List<AggregateCall> calls, boolean retractable) {
        byte[] bytes = s.toBytes();
        assertEquals(AggregateGroupState.FORMAT, bytes[0]);
        AggregateGroupState back = AggregateGroupState.fromBytes(calls, retractable, bytes);
        assertEquals(s.rowCount(), back.rowCount());
        assertArrayEquals(s.results(), back.results());
        assertArrayEquals(bytes, back.toBytes());
        return back;
    }

    @Test
    void shouldCountRowsAndNonNullValues() {
        List<AggregateCall> calls = List.of(call(AggregateFunction.COUNT_STAR, ColumnType.BOOLEAN),
                call(AggregateFunction.COUNT, ColumnType.VARCHAR));
        AggregateGroupState s = AggregateGroupState.empty(calls, true);
        assertArrayEquals(new Object[] {0L, 0L}, s.results());
        s.add(new Object[] {true, "a"});
        s.add(new Object[] {true, null});
        s.add(new Object[] {true, "b"});
        assertEquals(3, s.rowCount());
        assertArrayEquals(new Object[] {3L, 2L}, s.results());
        s.retract(new Object[] {true, "a"});
        assertArrayEquals(new Object[] {2L, 1L}, s.results());
        s.retract(new Object[] {true, null});
        s = roundTrip(s, calls, true);
        assertArrayEquals(new Object[] {1L, 1L}, s.results());
        s.retract(new Object[] {true, "b"});
        assertEquals(0, s.rowCount());
    }

    @Test
    void shouldCountDistinctValuesThroughRetraction() {
        List<AggregateCall> calls = List.of(call(AggregateFunction.COUNT, ColumnType.VARCHAR, true));
        AggregateGroupState s = AggregateGroupState.empty(calls, true);
        for (String v : new String[] {"a", "b", "a", null, "c", "a"}) {
            s.add(new Object[] {v});
        }
        assertEquals(3L, s.results()[0]);
        s.retract(new Object[] {"a"});
        s.retract(new Object[] {"a"});
        assertEquals(3L, s.results()[0]);
        s.retract(new Object[] {"a"});
        s = roundTrip(s, calls, true);
        assertEquals(2L, s.results()[0]);
    }

    @Test
    void shouldSumAndAverageIntegersExactly() {
        List<AggregateCall> calls = List.of(call(AggregateFunction.SUM, ColumnType.INT),
                call(AggregateFunction.AVG, ColumnType.BIGINT));
        AggregateGroupState s = AggregateGroupState.empty(calls, true);
        assertArrayEquals(new Object[] {null, null}, s.results());
        s.add(new Object[] {Integer.MAX_VALUE, Long.MAX_VALUE / 2});
        s.add(new Object[] {Integer.MAX_VALUE, null});
        s.add(new Object[] {1, 1L});
        assertEquals(2L * Integer.MAX_VALUE + 1, s.results()[0]);
        assertEquals((double) (Long.MAX_VALUE / 2 + 1) / 2, s.results()[1]);
        s.retract(new Object[] {Integer.MAX_VALUE, Long.MAX_VALUE / 2});
        assertArrayEquals(new Object[] {(long) Integer.MAX_VALUE + 1, 1.0}, s.results());
        s.retract(new Object[] {1, 1L});
        assertArrayEquals(new Object[] {(long) Integer.MAX_VALUE, null}, s.results());
    }

    @Test
    void shouldSumAndAverageDoublesAndDecimals() {
        List<AggregateCall> calls = List.of(call(AggregateFunction.SUM, ColumnType.DOUBLE),
                call(AggregateFunction.AVG, ColumnType.DOUBLE), call(AggregateFunction.SUM, DEC),
                call(AggregateFunction.AVG, DEC));
        AggregateGroupState s = AggregateGroupState.empty(calls, true);
        s.add(new Object[] {1.5, 1.5, new BigDecimal("1.00"), new BigDecimal("1.00")});
        s.add(new Object[] {2.0, 2.0, new BigDecimal("0.01"), new BigDecimal("1.00")});
        s.add(new Object[] {null, null, null, new BigDecimal("2.00")});
        assertArrayEquals(new Object[] {3.5, 1.75, new BigDecimal("1.01"), new BigDecimal("1.333333")}, s.results());
        s.retract(new Object[] {1.5, 1.5, new BigDecimal("1.00"), new BigDecimal("1.00")});
        s = roundTrip(s, calls, true);
        assertArrayEquals(new Object[] {2.0, 2.0, new BigDecimal("0.01"), new BigDecimal("1.500000")}, s.results());
    }

    @Test
    void shouldFindTheNextExtremeWhenTheMaxOrMinIsRetracted() {
        List<AggregateCall> calls = List.of(call(AggregateFunction.MAX, ColumnType.BIGINT),
                call(AggregateFunction.MIN, ColumnType.VARCHAR));
        AggregateGroupState s = AggregateGroupState.empty(calls, true);
        s.add(new Object[] {5L, "m"});
        s.add(new Object[] {9L, "a"});
        s.add(new Object[] {9L, "z"});
        s.add(new Object[] {7L, null});
        assertArrayEquals(new Object[] {9L, "a"}, s.results());
        s.retract(new Object[] {9L, "a"});
        assertArrayEquals(new Object[] {9L, "m"}, s.results());
        s = roundTrip(s, calls, true);
        s.retract(new Object[] {9L, "z"});
        assertArrayEquals(new Object[] {7L, "m"}, s.results());
        s.retract(new Object[] {7L, null});
        s.retract(new Object[] {5L, "m"});
        assertArrayEquals(new Object[] {null, null}, s.results());
    }

    @Test
    void shouldKeepOnlyTheExtremeForAppendOnlySources() {
        List<AggregateCall> calls = List.of(call(AggregateFunction.MAX, ColumnType.BIGINT));
        AggregateGroupState s = AggregateGroupState.empty(calls, false);
        for (long v = 0; v < 1000; v++) {
            s.add(new Object[] {(v * 7919) % 1000});
        }
        assertEquals(999L, s.results()[0]);
        assertTrue(s.toBytes().length < 16, "state stays small: " + s.toBytes().length + " bytes");
        s = roundTrip(s, calls, false);
        AggregateGroupState appendOnly = s;
        assertThrows(IllegalStateException.class, () -> appendOnly.retract(new Object[] {999L}));
    }

    @Test
    void shouldIgnoreNullsInEveryAggregateButCountStar() {
        AggregateGroupState s = AggregateGroupState.empty(CALLS, true);
        Object[] nulls = new Object[CALLS.size()];
        nulls[0] = Boolean.TRUE;
        s.add(nulls);
        Object[] results = s.results();
        assertEquals(1L, results[0]);
        assertEquals(0L, results[1]);
        assertEquals(0L, results[2]);
        for (int i = 3; i < results.length; i++) {
            assertNull(results[i], CALLS.get(i).toString());
        }
    }

    @Test
    void shouldRejectBytesOfAnotherFormat() {
        assertThrows(IllegalArgumentException.class,
                () -> AggregateGroupState.fromBytes(CALLS, true, new byte[] {9, 0}));
        assertThrows(IllegalArgumentException.class,
                () -> AggregateGroupState.fromBytes(CALLS, true, new byte[] {1}));
    }

    /** Random add/retract sequences, checked after every step against a recomputation from the live rows. */
    @Test
    void shouldMatchBruteForceRecomputationOverRandomAddRetractSequences() {
        for (int seed = 0; seed < 40; seed++) {
            Random random = new Random(seed);
            AggregateGroupState state = AggregateGroupState.empty(CALLS, true);
            List<Object[]> live = new ArrayList<>();
            for (int step = 0; step < 300; step++) {
                if (!live.isEmpty() && random.nextInt(100) < 40) {
                    Object[] row = live.remove(random.nextInt(live.size()));
                    state.retract(row.clone());
                } else {
                    Object[] row = randomRow(random);
                    live.add(row);
                    state.add(row.clone());
                }
                if (random.nextInt(10) == 0) {
                    state = roundTrip(state, CALLS, true);
                }
                assertEquals(live.size(), state.rowCount());
                Object[] expected = bruteForce(live);
                Object[] actual = state.results();
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], actual[i], "seed " + seed + " step " + step + " " + CALLS.get(i));
                }
            }
        }
    }

    private static Object[] randomRow(Random r) {
        Object[] row = new Object[CALLS.size()];
        for (int i = 0; i < row.length; i++) {
            AggregateCall c = CALLS.get(i);
            if (c.function() == AggregateFunction.COUNT_STAR) {
                row[i] = Boolean.TRUE;
                continue;
            }
            if (r.nextInt(6) == 0) {
                continue; // NULL
            }
            int v = r.nextInt(21) - 10;
            row[i] = switch (c.inputType().kind()) {
                case INT -> v;
                case BIGINT, TIMESTAMP -> (long) v * 1_000_000_007L;
                case DOUBLE -> v * 0.25; // exact in binary, so sums are exact
                case DECIMAL -> BigDecimal.valueOf(v * 37L, 2);
                case VARCHAR -> "v" + (char) ('a' + (v + 10) % 7);
                case BOOLEAN -> v > 0;
            };
        }
        return row;
    }

    private static Object[] bruteForce(List<Object[]> rows) {
        Object[] result = new Object[CALLS.size()];
        for (int i = 0; i < result.length; i++) {
            AggregateCall c = CALLS.get(i);
            List<Object> values = new ArrayList<>();
            for (Object[] row : rows) {
                if (row[i] != null) {
                    values.add(row[i]);
                }
            }
            if (c.distinct()) {
                Set<Object> seen = new HashSet<>();
                values.removeIf(v -> !seen.add(v));
            }
            result[i] = switch (c.function()) {
                case COUNT_STAR, COUNT -> (long) values.size();
                case SUM -> values.isEmpty() ? null : sum(values, c.inputType()).getKey();
                case AVG -> {
                    if (values.isEmpty()) {
                        yield null;
                    }
                    Object sum = sum(values, c.inputType()).getKey();
                    yield c.inputType().kind() == ColumnType.Kind.DECIMAL
                            ? ((BigDecimal) sum).divide(BigDecimal.valueOf(values.size()), c.resultType().scale(),
                            RoundingMode.HALF_UP)
                            : ((Number) sum).doubleValue() / values.size();
                }
                case MIN -> values.stream().min(AggregateGroupStateTest::compare).orElse(null);
                case MAX -> values.stream().max(AggregateGroupStateTest::compare).orElse(null);
            };
        }
        return result;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object a, Object b) {
        return ((Comparable) a).compareTo(b);
    }

    private static java.util.Map.Entry<Object, Integer> sum(List<Object> values, ColumnType type) {
        Object sum = switch (type.kind()) {
            case INT, BIGINT -> values.stream().mapToLong(v -> ((Number) v).longValue()).sum();
            case DOUBLE -> values.stream().mapToDouble(v -> (Double) v).sum();
            case DECIMAL -> values.stream().map(v -> (BigDecimal) v).reduce(BigDecimal.ZERO, BigDecimal::add)
                    .setScale(type.scale());
            default -> throw new IllegalArgumentException(Arrays.toString(values.toArray()));
        };
        return java.util.Map.entry(sum, values.size());
    }
}
