package dev.statefront.processor.plan;

import dev.statefront.core.ColumnType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.TreeMap;

/** Factories and implementations of the {@link Accumulator}s of each {@link AggregateCall}. */
final class Accumulators {
    private Accumulators() {
    }

    /**
     * A fresh accumulator for a call. {@code retractable} false (append-only sources) lets MIN and MAX keep only
     * the current extreme instead of every value.
     */
    static Accumulator create(AggregateCall call, boolean retractable) {
        Accumulator base = switch (call.function()) {
            case COUNT_STAR, COUNT -> new Count();
            case SUM, AVG -> switch (call.inputType().kind()) {
                case INT, BIGINT -> new LongSum(call.function() == AggregateFunction.AVG);
                case DOUBLE -> new DoubleSum(call.function() == AggregateFunction.AVG);
                case DECIMAL -> new DecimalSum(call.resultType().scale(), call.function() == AggregateFunction.AVG);
                default -> throw new IllegalArgumentException(call.function() + " does not apply to "
                        + call.inputType());
            };
            case MIN -> new Extreme(call.inputType(), -1, retractable);
            case MAX -> new Extreme(call.inputType(), 1, retractable);
        };
        boolean distinctMatters = call.function() != AggregateFunction.MIN && call.function() != AggregateFunction.MAX
                && call.function() != AggregateFunction.COUNT_STAR;
        return call.distinct() && distinctMatters ? new Distinct(base, call.inputType()) : base;
    }

    /** COUNT and COUNT(*): how many non-null inputs. */
    static final class Count implements Accumulator {
        private long n;

        @Override
        public void add(Object value) {
            n++;
        }

        @Override
        public void retract(Object value) {
            n--;
        }

        @Override
        public Object result() {
            return n;
        }

        @Override
        public void write(DataOutput out) throws IOException {
            StateValueCodec.writeSignedVarLong(out, n);
        }

        @Override
        public void read(DataInput in) throws IOException {
            n = StateValueCodec.readSignedVarLong(in);
        }
    }

    /** SUM and AVG of INT/BIGINT: the exact sum as a long, plus the non-null count. */
    static final class LongSum implements Accumulator {
        private final boolean avg;
        private long sum;
        private long n;

        LongSum(boolean avg) {
            this.avg = avg;
        }

        @Override
        public void add(Object value) {
            try {
                sum = Math.addExact(sum, ((Number) value).longValue());
            } catch (ArithmeticException e) {
                throw new EvaluationException("BIGINT overflow in " + (avg ? "AVG" : "SUM") + " adding " + value
                        + " to " + sum, e);
            }
            n++;
        }

        @Override
        public void retract(Object value) {
            try {
                sum = Math.subtractExact(sum, ((Number) value).longValue());
            } catch (ArithmeticException e) {
                throw new EvaluationException("BIGINT overflow in " + (avg ? "AVG" : "SUM") + " retracting " + value
                        + " from " + sum, e);
            }
            n--;
        }

        @Override
        public Object result() {
            if (n == 0) {
                return null;
            }
            return avg ? (Object) ((double) sum / n) : (Object) sum;
        }

        @Override
        public void write(DataOutput out) throws IOException {
            StateValueCodec.writeSignedVarLong(out, n);
            StateValueCodec.writeSignedVarLong(out, sum);
        }

        @Override
        public void read(DataInput in) throws IOException {
            n = StateValueCodec.readSignedVarLong(in);
            sum = StateValueCodec.readSignedVarLong(in);
        }
    }

    /** SUM and AVG of DOUBLE. */
    static final class DoubleSum implements Accumulator {
        private final boolean avg;
        private double sum;
        private long n;

        DoubleSum(boolean avg) {
            this.avg = avg;
        }

        @Override
        public void add(Object value) {
            sum += ((Number) value).doubleValue();
            n++;
        }

        @Override
        public void retract(Object value) {
            sum -= ((Number) value).doubleValue();
            n--;
            if (n == 0) {
                sum = 0.0; // drop accumulated rounding error once the group is empty
            }
        }

        @Override
        public Object result() {
            if (n == 0) {
                return null;
            }
            return avg ? sum / n : sum;
        }

        @Override
        public void write(DataOutput out) throws IOException {
            StateValueCodec.writeSignedVarLong(out, n);
            out.writeDouble(sum);
        }

        @Override
        public void read(DataInput in) throws IOException {
            n = StateValueCodec.readSignedVarLong(in);
            sum = in.readDouble();
        }
    }

    /** SUM and AVG of DECIMAL: exact; AVG rounds HALF_UP to the result scale. */
    static final class DecimalSum implements Accumulator {
        private final int resultScale;
        private final boolean avg;
        private BigDecimal sum = BigDecimal.ZERO;
        private long n;

        DecimalSum(int resultScale, boolean avg) {
            this.resultScale = resultScale;
            this.avg = avg;
        }

        @Override
        public void add(Object value) {
            sum = sum.add((BigDecimal) value);
            n++;
        }

        @Override
        public void retract(Object value) {
            sum = sum.subtract((BigDecimal) value);
            n--;
        }

        @Override
        public Object result() {
            if (n == 0) {
                return null;
            }
            if (avg) {
                return sum.divide(BigDecimal.valueOf(n), resultScale, RoundingMode.HALF_UP);
            }
            BigDecimal r = sum.setScale(resultScale, RoundingMode.HALF_UP);
            if (r.precision() > ColumnType.MAX_DECIMAL_PRECISION) {
                throw new EvaluationException("DECIMAL overflow in SUM: " + r.toPlainString() + " has more than "
                        + ColumnType.MAX_DECIMAL_PRECISION + " digits");
            }
            return r;
        }

        @Override
        public void write(DataOutput out) throws IOException {
            StateValueCodec.writeSignedVarLong(out, n);
            StateValueCodec.writeDecimal(out, sum);
        }

        @Override
        public void read(DataInput in) throws IOException {
            n = StateValueCodec.readSignedVarLong(in);
            sum = StateValueCodec.readDecimal(in);
        }
    }

    /**
     * MIN (sign -1) and MAX (sign 1). Holds the extreme and how often it occurs; when retraction is possible and
     * a second distinct value arrives it switches to a sorted multiset (value → count), so retracting the extreme
     * finds the next one. Append-only groups never pay for the multiset.
     */
    static final class Extreme implements Accumulator {
        private static final int EMPTY = 0;
        private static final int SINGLE = 1;
        private static final int MULTI = 2;

        private final ColumnType type;
        private final int sign;
        private final boolean retractable;
        private Object single;
        private long singleCount;
        private TreeMap<Object, long[]> multiset;

        Extreme(ColumnType type, int sign, boolean retractable) {
            this.type = type;
            this.sign = sign;
            this.retractable = retractable;
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private int compare(Object a, Object b) {
            return ((Comparable) a).compareTo(b);
        }

        @Override
        public void add(Object value) {
            if (multiset != null) {
                multiset.computeIfAbsent(value, v -> new long[1])[0]++;
                return;
            }
            if (single == null) {
                single = value;
                singleCount = 1;
                return;
            }
            int c = compare(value, single);
            if (c == 0) {
                singleCount++;
            } else if (!retractable) {
                if (c * sign > 0) {
                    single = value;
                    singleCount = 1;
                }
            } else {
                multiset = new TreeMap<>();
                multiset.put(single, new long[] {singleCount});
                multiset.put(value, new long[] {1});
                single = null;
                singleCount = 0;
            }
        }

        @Override
        public void retract(Object value) {
            if (multiset != null) {
                long[] count = multiset.get(value);
                if (count == null) {
                    throw new IllegalStateException("retracting " + value + " that was never added");
                }
                if (--count[0] == 0) {
                    multiset.remove(value);
                }
                if (multiset.isEmpty()) {
                    multiset = null;
                }
                return;
            }
            if (!retractable) {
                throw new IllegalStateException("MIN/MAX state of an append-only source cannot retract " + value
                        + "; only TABLE sources retract rows");
            }
            if (single == null || compare(value, single) != 0) {
                throw new IllegalStateException("retracting " + value + " that was never added");
            }
            if (--singleCount == 0) {
                single = null;
            }
        }

        @Override
        public Object result() {
            if (multiset != null) {
                return sign > 0 ? multiset.lastKey() : multiset.firstKey();
            }
            return single;
        }

        @Override
        public void write(DataOutput out) throws IOException {
            if (multiset != null) {
                out.writeByte(MULTI);
                StateValueCodec.writeVarLong(out, multiset.size());
                for (Map.Entry<Object, long[]> e : multiset.entrySet()) {
                    StateValueCodec.writeValue(out, type, e.getKey());
                    StateValueCodec.writeVarLong(out, e.getValue()[0]);
                }
            } else if (single != null) {
                out.writeByte(SINGLE);
                StateValueCodec.writeValue(out, type, single);
                StateValueCodec.writeVarLong(out, singleCount);
            } else {
                out.writeByte(EMPTY);
            }
        }

        @Override
        public void read(DataInput in) throws IOException {
            int tag = in.readUnsignedByte();
            single = null;
            singleCount = 0;
            multiset = null;
            switch (tag) {
                case EMPTY -> { }
                case SINGLE -> {
                    single = StateValueCodec.readValue(in, type);
                    singleCount = StateValueCodec.readVarLong(in);
                }
                case MULTI -> {
                    long size = StateValueCodec.readVarLong(in);
                    multiset = new TreeMap<>();
                    for (long i = 0; i < size; i++) {
                        Object v = StateValueCodec.readValue(in, type);
                        multiset.put(v, new long[] {StateValueCodec.readVarLong(in)});
                    }
                }
                default -> throw new IOException("unknown MIN/MAX state tag " + tag);
            }
        }
    }

    /**
     * {@code f(DISTINCT x)}: counts each distinct value and feeds the inner accumulator only when a value
     * appears (0 → 1) or disappears (1 → 0).
     */
    static final class Distinct implements Accumulator {
        private final Accumulator inner;
        private final ColumnType type;
        private final TreeMap<Object, long[]> counts = new TreeMap<>(); // sorted: deterministic bytes

        Distinct(Accumulator inner, ColumnType type) {
            this.inner = inner;
            this.type = type;
        }

        /** SQL equality, not Java equality: 1.0 = 1.00 and -0.0 = 0.0. */
        private static Object normalize(Object v) {
            if (v instanceof BigDecimal d) {
                return d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
            }
            if (v instanceof Double d && d == 0.0) {
                return 0.0;
            }
            return v;
        }

        @Override
        public void add(Object value) {
            long[] c = counts.computeIfAbsent(normalize(value), v -> new long[1]);
            if (c[0]++ == 0) {
                inner.add(value);
            }
        }

        @Override
        public void retract(Object value) {
            Object key = normalize(value);
            long[] c = counts.get(key);
            if (c == null) {
                throw new IllegalStateException("retracting DISTINCT value " + value + " that was never added");
            }
            if (--c[0] == 0) {
                counts.remove(key);
                inner.retract(value);
            }
        }

        @Override
        public Object result() {
            return inner.result();
        }

        @Override
        public void write(DataOutput out) throws IOException {
            inner.write(out);
            StateValueCodec.writeVarLong(out, counts.size());
            for (Map.Entry<Object, long[]> e : counts.entrySet()) {
                StateValueCodec.writeValue(out, type, e.getKey());
                StateValueCodec.writeVarLong(out, e.getValue()[0]);
            }
        }

        @Override
        public void read(DataInput in) throws IOException {
            inner.read(in);
            counts.clear();
            long size = StateValueCodec.readVarLong(in);
            for (long i = 0; i < size; i++) {
                Object v = StateValueCodec.readValue(in, type);
                counts.put(v, new long[] {StateValueCodec.readVarLong(in)});
            }
        }
    }
}
