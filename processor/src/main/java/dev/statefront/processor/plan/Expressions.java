package dev.statefront.processor.plan;

import dev.statefront.core.ColumnType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.IntPredicate;
import java.util.function.LongBinaryOperator;
import java.util.regex.Pattern;

/**
 * Static factories of {@link Evaluator}s: the SQL semantics of every operator a view can use. Each factory picks
 * its specialised implementation once, when called; evaluation does no type dispatch beyond casts of the boxed
 * values. NULL propagates through every operator except the logical ones, which follow SQL three-valued logic,
 * and CASE/COALESCE/IS [NOT] NULL.
 */
public final class Expressions {
    private static final DateTimeFormatter SQL_TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private Expressions() {
    }

    /** Arithmetic operators. */
    public enum Arithmetic { PLUS, MINUS, TIMES, DIVIDE, MOD }

    /** Comparison operators. */
    public enum Comparison { EQUALS, NOT_EQUALS, LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN, GREATER_THAN_OR_EQUAL }

    /** The domain two values are compared in, chosen from the operand types. */
    public enum Domain {
        /** INT, BIGINT and TIMESTAMP values, as longs. */
        LONG,
        /** Any number with a DOUBLE among the operands, as doubles. */
        DOUBLE,
        /** Exact numbers with a DECIMAL among the operands, as BigDecimals (scale ignored). */
        DECIMAL,
        /** Strings. */
        STRING,
        /** Booleans, FALSE before TRUE. */
        BOOLEAN;

        /**
         * The domain two operands of the given types are compared in.
         *
         * @throws IllegalArgumentException naming both types if they cannot be compared
         */
        public static Domain of(ColumnType a, ColumnType b) {
            ColumnType.Kind x = a.kind();
            ColumnType.Kind y = b.kind();
            if (isNumeric(x) && isNumeric(y)) {
                if (x == ColumnType.Kind.DOUBLE || y == ColumnType.Kind.DOUBLE) {
                    return DOUBLE;
                }
                return x == ColumnType.Kind.DECIMAL || y == ColumnType.Kind.DECIMAL ? DECIMAL : LONG;
            }
            if (x == ColumnType.Kind.TIMESTAMP && y == ColumnType.Kind.TIMESTAMP) {
                return LONG;
            }
            if (x == ColumnType.Kind.VARCHAR && y == ColumnType.Kind.VARCHAR) {
                return STRING;
            }
            if (x == ColumnType.Kind.BOOLEAN && y == ColumnType.Kind.BOOLEAN) {
                return BOOLEAN;
            }
            throw new IllegalArgumentException("cannot compare " + a + " with " + b);
        }
    }

    private static boolean isNumeric(ColumnType.Kind k) {
        return k == ColumnType.Kind.INT || k == ColumnType.Kind.BIGINT || k == ColumnType.Kind.DOUBLE
                || k == ColumnType.Kind.DECIMAL;
    }

    /** Which end TRIM removes characters from. */
    public enum TrimMode { BOTH, LEADING, TRAILING }

    /** The value at position {@code index} of the row. */
    public static Evaluator field(int index) {
        return row -> row[index];
    }

    /** A constant; null is SQL NULL. */
    public static Evaluator constant(Object value) {
        return row -> value;
    }

    // ---------------------------------------------------------------- arithmetic

    /**
     * {@code left op right} computed in the result type: INT and BIGINT with overflow checks and truncating
     * division, DOUBLE in IEEE arithmetic, DECIMAL exactly then rounded HALF_UP to the result scale.
     *
     * @throws IllegalArgumentException if the result type is not numeric
     */
    public static Evaluator arithmetic(Arithmetic op, ColumnType resultType, Evaluator left, Evaluator right) {
        String symbol = switch (op) {
            case PLUS -> "+";
            case MINUS -> "-";
            case TIMES -> "*";
            case DIVIDE -> "/";
            case MOD -> "%";
        };
        switch (resultType.kind()) {
            case INT: {
                LongBinaryOperator f = longOperator(op);
                return row -> {
                    Object a = left.eval(row);
                    if (a == null) {
                        return null;
                    }
                    Object b = right.eval(row);
                    if (b == null) {
                        return null;
                    }
                    long r = apply(f, ((Number) a).longValue(), ((Number) b).longValue(), a, symbol, b);
                    if (r != (int) r) {
                        throw new EvaluationException("INT overflow: " + a + " " + symbol + " " + b);
                    }
                    return (int) r;
                };
            }
            case BIGINT: {
                LongBinaryOperator f = longOperator(op);
                return row -> {
                    Object a = left.eval(row);
                    if (a == null) {
                        return null;
                    }
                    Object b = right.eval(row);
                    if (b == null) {
                        return null;
                    }
                    return apply(f, ((Number) a).longValue(), ((Number) b).longValue(), a, symbol, b);
                };
            }
            case DOUBLE:
                return row -> {
                    Object a = left.eval(row);
                    if (a == null) {
                        return null;
                    }
                    Object b = right.eval(row);
                    if (b == null) {
                        return null;
                    }
                    double x = ((Number) a).doubleValue();
                    double y = ((Number) b).doubleValue();
                    return switch (op) {
                        case PLUS -> x + y;
                        case MINUS -> x - y;
                        case TIMES -> x * y;
                        case DIVIDE -> {
                            if (y == 0.0) {
                                throw new EvaluationException("division by zero: " + a + " / " + b);
                            }
                            yield x / y;
                        }
                        case MOD -> {
                            if (y == 0.0) {
                                throw new EvaluationException("division by zero: " + a + " % " + b);
                            }
                            yield x % y;
                        }
                    };
                };
            case DECIMAL: {
                int scale = resultType.scale();
                int precision = resultType.precision();
                return row -> {
                    Object a = left.eval(row);
                    if (a == null) {
                        return null;
                    }
                    Object b = right.eval(row);
                    if (b == null) {
                        return null;
                    }
                    BigDecimal x = toDecimal(a);
                    BigDecimal y = toDecimal(b);
                    BigDecimal r = switch (op) {
                        case PLUS -> x.add(y);
                        case MINUS -> x.subtract(y);
                        case TIMES -> x.multiply(y);
                        case DIVIDE -> {
                            if (y.signum() == 0) {
                                throw new EvaluationException("division by zero: " + a + " / " + b);
                            }
                            yield x.divide(y, scale, RoundingMode.HALF_UP);
                        }
                        case MOD -> {
                            if (y.signum() == 0) {
                                throw new EvaluationException("division by zero: " + a + " % " + b);
                            }
                            yield x.remainder(y);
                        }
                    };
                    return fitDecimal(r, scale, precision, a + " " + symbol + " " + b);
                };
            }
            default:
                throw new IllegalArgumentException("arithmetic " + symbol + " cannot produce " + resultType);
        }
    }

    private static LongBinaryOperator longOperator(Arithmetic op) {
        return switch (op) {
            case PLUS -> Math::addExact;
            case MINUS -> Math::subtractExact;
            case TIMES -> Math::multiplyExact;
            case DIVIDE -> (x, y) -> {
                if (y == 0) {
                    throw new ArithmeticException("division by zero");
                }
                if (x == Long.MIN_VALUE && y == -1) {
                    throw new ArithmeticException("overflow");
                }
                return x / y;
            };
            case MOD -> (x, y) -> {
                if (y == 0) {
                    throw new ArithmeticException("division by zero");
                }
                return y == -1 ? 0 : x % y;
            };
        };
    }

    private static long apply(LongBinaryOperator f, long x, long y, Object a, String symbol, Object b) {
        try {
            return f.applyAsLong(x, y);
        } catch (ArithmeticException e) {
            String what = "division by zero".equals(e.getMessage()) ? "division by zero" : "BIGINT overflow";
            throw new EvaluationException(what + ": " + a + " " + symbol + " " + b, e);
        }
    }

    /**
     * Unary minus in the given type.
     *
     * @throws IllegalArgumentException if the type is not numeric
     */
    public static Evaluator negate(ColumnType type, Evaluator operand) {
        return switch (type.kind()) {
            case INT -> row -> {
                Object a = operand.eval(row);
                if (a == null) {
                    return null;
                }
                int v = ((Number) a).intValue();
                if (v == Integer.MIN_VALUE) {
                    throw new EvaluationException("INT overflow: -(" + a + ")");
                }
                return -v;
            };
            case BIGINT -> row -> {
                Object a = operand.eval(row);
                if (a == null) {
                    return null;
                }
                long v = ((Number) a).longValue();
                if (v == Long.MIN_VALUE) {
                    throw new EvaluationException("BIGINT overflow: -(" + a + ")");
                }
                return -v;
            };
            case DOUBLE -> row -> {
                Object a = operand.eval(row);
                return a == null ? null : -((Number) a).doubleValue();
            };
            case DECIMAL -> row -> {
                Object a = operand.eval(row);
                return a == null ? null : toDecimal(a).negate();
            };
            default -> throw new IllegalArgumentException("unary minus does not apply to " + type);
        };
    }

    /**
     * ABS in the given numeric type.
     *
     * @throws IllegalArgumentException if the type is not numeric
     */
    public static Evaluator abs(ColumnType type, Evaluator operand) {
        Evaluator negated = negate(type, operand);
        Domain domain = Domain.of(type, type);
        return row -> {
            Object a = operand.eval(row);
            if (a == null) {
                return null;
            }
            boolean negative = switch (domain) {
                case LONG -> ((Number) a).longValue() < 0;
                case DOUBLE -> ((Number) a).doubleValue() < 0;
                default -> toDecimal(a).signum() < 0;
            };
            return negative ? negated.eval(row) : a;
        };
    }

    // ---------------------------------------------------------------- comparison and logic

    /** {@code left op right} in the given domain: TRUE, FALSE, or NULL if either side is NULL. */
    public static Evaluator compare(Comparison op, Domain domain, Evaluator left, Evaluator right) {
        IntPredicate test = switch (op) {
            case EQUALS -> c -> c == 0;
            case NOT_EQUALS -> c -> c != 0;
            case LESS_THAN -> c -> c < 0;
            case LESS_THAN_OR_EQUAL -> c -> c <= 0;
            case GREATER_THAN -> c -> c > 0;
            case GREATER_THAN_OR_EQUAL -> c -> c >= 0;
        };
        return row -> {
            Object a = left.eval(row);
            if (a == null) {
                return null;
            }
            Object b = right.eval(row);
            if (b == null) {
                return null;
            }
            return test.test(compareValues(domain, a, b)) ? Boolean.TRUE : Boolean.FALSE;
        };
    }

    /** {@code left IS [NOT] DISTINCT FROM right}: like = and &lt;&gt; but NULL equals NULL; never NULL. */
    public static Evaluator isDistinctFrom(boolean distinct, Domain domain, Evaluator left, Evaluator right) {
        return row -> {
            Object a = left.eval(row);
            Object b = right.eval(row);
            boolean same = a == null || b == null ? a == b : compareValues(domain, a, b) == 0;
            return same != distinct ? Boolean.TRUE : Boolean.FALSE;
        };
    }

    static int compareValues(Domain domain, Object a, Object b) {
        return switch (domain) {
            case LONG -> Long.compare(((Number) a).longValue(), ((Number) b).longValue());
            case DOUBLE -> {
                double x = ((Number) a).doubleValue();
                double y = ((Number) b).doubleValue();
                yield x == y ? 0 : Double.compare(x, y);
            }
            case DECIMAL -> toDecimal(a).compareTo(toDecimal(b));
            case STRING -> ((String) a).compareTo((String) b);
            case BOOLEAN -> Boolean.compare((Boolean) a, (Boolean) b);
        };
    }

    /** AND in three-valued logic: FALSE if any is FALSE, else NULL if any is NULL, else TRUE. */
    public static Evaluator and(Evaluator... operands) {
        Evaluator[] ops = operands.clone();
        return row -> {
            boolean sawNull = false;
            for (Evaluator e : ops) {
                Object v = e.eval(row);
                if (v == null) {
                    sawNull = true;
                } else if (!(Boolean) v) {
                    return Boolean.FALSE;
                }
            }
            return sawNull ? null : Boolean.TRUE;
        };
    }

    /** OR in three-valued logic: TRUE if any is TRUE, else NULL if any is NULL, else FALSE. */
    public static Evaluator or(Evaluator... operands) {
        Evaluator[] ops = operands.clone();
        return row -> {
            boolean sawNull = false;
            for (Evaluator e : ops) {
                Object v = e.eval(row);
                if (v == null) {
                    sawNull = true;
                } else if ((Boolean) v) {
                    return Boolean.TRUE;
                }
            }
            return sawNull ? null : Boolean.FALSE;
        };
    }

    /** NOT: NULL stays NULL. */
    public static Evaluator not(Evaluator operand) {
        return row -> {
            Object v = operand.eval(row);
            return v == null ? null : (Boolean) v ? Boolean.FALSE : Boolean.TRUE;
        };
    }

    /** {@code IS NULL} ({@code negated} false) or {@code IS NOT NULL}; never NULL. */
    public static Evaluator isNull(Evaluator operand, boolean negated) {
        return row -> (operand.eval(row) == null) != negated ? Boolean.TRUE : Boolean.FALSE;
    }

    /** {@code IS [NOT] TRUE} / {@code IS [NOT] FALSE}: whether the value is exactly {@code expected}; never NULL. */
    public static Evaluator is(Evaluator operand, boolean expected, boolean negated) {
        Boolean want = expected;
        return row -> want.equals(operand.eval(row)) != negated ? Boolean.TRUE : Boolean.FALSE;
    }

    /**
     * {@code CASE WHEN c1 THEN v1 ... ELSE otherwise END}: the value of the first condition that is TRUE.
     *
     * @param otherwise the ELSE value; null means ELSE NULL
     */
    public static Evaluator caseWhen(Evaluator[] conditions, Evaluator[] values, Evaluator otherwise) {
        Evaluator[] cs = conditions.clone();
        Evaluator[] vs = values.clone();
        Evaluator other = otherwise == null ? constant(null) : otherwise;
        if (cs.length != vs.length) {
            throw new IllegalArgumentException(cs.length + " conditions for " + vs.length + " values");
        }
        return row -> {
            for (int i = 0; i < cs.length; i++) {
                if (cs[i].eval(row) == Boolean.TRUE) {
                    return vs[i].eval(row);
                }
            }
            return other.eval(row);
        };
    }

    /** COALESCE: the first non-null value, or NULL. */
    public static Evaluator coalesce(Evaluator... operands) {
        Evaluator[] ops = operands.clone();
        return row -> {
            for (Evaluator e : ops) {
                Object v = e.eval(row);
                if (v != null) {
                    return v;
                }
            }
            return null;
        };
    }

    // ---------------------------------------------------------------- strings

    /** LOWER (locale-independent). */
    public static Evaluator lower(Evaluator operand) {
        return row -> {
            Object v = operand.eval(row);
            return v == null ? null : ((String) v).toLowerCase(Locale.ROOT);
        };
    }

    /** UPPER (locale-independent). */
    public static Evaluator upper(Evaluator operand) {
        return row -> {
            Object v = operand.eval(row);
            return v == null ? null : ((String) v).toUpperCase(Locale.ROOT);
        };
    }

    /** CHAR_LENGTH: the number of characters (code points). */
    public static Evaluator charLength(Evaluator operand) {
        return row -> {
            Object v = operand.eval(row);
            return v == null ? null : ((String) v).codePointCount(0, ((String) v).length());
        };
    }

    /**
     * String concatenation. {@code nullAsEmpty} false is {@code a || b} (NULL if any operand is NULL); true is
     * the CONCAT function, which skips NULLs (NULL only if all are NULL).
     */
    public static Evaluator concat(boolean nullAsEmpty, Evaluator... operands) {
        Evaluator[] ops = operands.clone();
        return row -> {
            StringBuilder sb = null;
            for (Evaluator e : ops) {
                Object v = e.eval(row);
                if (v == null) {
                    if (!nullAsEmpty) {
                        return null;
                    }
                    continue;
                }
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append((String) v);
            }
            return sb == null ? (nullAsEmpty && ops.length > 0 ? "" : null) : sb.toString();
        };
    }

    /**
     * SQL {@code SUBSTRING(s FROM start [FOR length])}: 1-based, counted in characters; a start before 1 eats
     * into the length.
     *
     * @param length the FOR operand, or null for "to the end"
     */
    public static Evaluator substring(Evaluator string, Evaluator start, Evaluator length) {
        return row -> {
            Object s = string.eval(row);
            if (s == null) {
                return null;
            }
            Object st = start.eval(row);
            if (st == null) {
                return null;
            }
            String str = (String) s;
            long from = ((Number) st).longValue();
            long end;
            if (length == null) {
                end = Long.MAX_VALUE;
            } else {
                Object len = length.eval(row);
                if (len == null) {
                    return null;
                }
                long l = ((Number) len).longValue();
                if (l < 0) {
                    throw new EvaluationException("negative SUBSTRING length " + l);
                }
                end = from + l; // exclusive, 1-based
            }
            long begin = Math.max(from, 1);
            long stop = Math.min(end, (long) str.length() + 1);
            if (stop <= begin) {
                return "";
            }
            return str.substring((int) begin - 1, (int) stop - 1);
        };
    }

    /** TRIM of the characters in {@code characters} (usually a single space) from one or both ends. */
    public static Evaluator trim(TrimMode mode, Evaluator characters, Evaluator string) {
        return row -> {
            Object s = string.eval(row);
            Object c = characters.eval(row);
            if (s == null || c == null) {
                return null;
            }
            String str = (String) s;
            String chars = (String) c;
            int begin = 0;
            int end = str.length();
            if (mode != TrimMode.TRAILING) {
                while (begin < end && chars.indexOf(str.charAt(begin)) >= 0) {
                    begin++;
                }
            }
            if (mode != TrimMode.LEADING) {
                while (end > begin && chars.indexOf(str.charAt(end - 1)) >= 0) {
                    end--;
                }
            }
            return str.substring(begin, end);
        };
    }

    /**
     * {@code s [NOT] LIKE pattern}: {@code %} any run, {@code _} any one character, {@code escape} (may be
     * null) quotes the next character.
     *
     * @throws IllegalArgumentException if the pattern ends with the escape character
     */
    public static Evaluator like(Evaluator string, String pattern, Character escape, boolean negated) {
        Pattern regex = likeToRegex(pattern, escape);
        return row -> {
            Object s = string.eval(row);
            if (s == null) {
                return null;
            }
            return regex.matcher((String) s).matches() != negated ? Boolean.TRUE : Boolean.FALSE;
        };
    }

    private static Pattern likeToRegex(String pattern, Character escape) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (escape != null && c == escape) {
                if (++i >= pattern.length()) {
                    throw new IllegalArgumentException("LIKE pattern '" + pattern + "' ends with its escape character");
                }
                re.append(Pattern.quote(String.valueOf(pattern.charAt(i))));
            } else if (c == '%') {
                re.append(".*");
            } else if (c == '_') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    // ---------------------------------------------------------------- CAST

    /**
     * {@code CAST(operand AS to)} from the operand's type. Strings are trimmed before parsing numbers, booleans
     * and timestamps; decimals round HALF_UP to the target scale; DOUBLE and DECIMAL to INT/BIGINT truncate
     * toward zero; TIMESTAMP to VARCHAR is {@code yyyy-MM-dd HH:mm:ss.SSS} (UTC); VARCHAR to TIMESTAMP accepts
     * ISO-8601 and SQL timestamps and dates (UTC unless an offset is given); INT/BIGINT to TIMESTAMP are epoch
     * milliseconds.
     *
     * @throws IllegalArgumentException naming both types if the cast is not supported
     */
    public static Evaluator cast(ColumnType from, ColumnType to, Evaluator operand) {
        if (from.equals(to) || (from.kind() == to.kind() && to.kind() != ColumnType.Kind.DECIMAL)) {
            return operand;
        }
        Converter c = converter(from, to);
        return row -> {
            Object v = operand.eval(row);
            return v == null ? null : c.convert(v);
        };
    }

    @FunctionalInterface
    private interface Converter {
        Object convert(Object v);
    }

    private static Converter converter(ColumnType from, ColumnType to) {
        ColumnType.Kind f = from.kind();
        switch (to.kind()) {
            case BOOLEAN:
                if (f == ColumnType.Kind.VARCHAR) {
                    return v -> {
                        String s = ((String) v).trim();
                        if (s.equalsIgnoreCase("true")) {
                            return Boolean.TRUE;
                        }
                        if (s.equalsIgnoreCase("false")) {
                            return Boolean.FALSE;
                        }
                        throw new EvaluationException("cannot CAST '" + v + "' AS BOOLEAN");
                    };
                }
                break;
            case INT:
            case BIGINT: {
                boolean isInt = to.kind() == ColumnType.Kind.INT;
                Converter toLong = switch (f) {
                    case INT, BIGINT, TIMESTAMP -> v -> ((Number) v).longValue();
                    case DOUBLE -> v -> {
                        double d = (Double) v;
                        if (Double.isNaN(d) || d >= 0x1p63 || d < -0x1p63) {
                            throw new EvaluationException("cannot CAST " + v + " AS " + to + ": out of range");
                        }
                        return (long) d;
                    };
                    case DECIMAL -> v -> decimalToLong((BigDecimal) v, to);
                    case VARCHAR -> v -> {
                        String s = ((String) v).trim();
                        try {
                            return Long.parseLong(s);
                        } catch (NumberFormatException e) {
                            try {
                                return decimalToLong(new BigDecimal(s), to);
                            } catch (NumberFormatException e2) {
                                throw new EvaluationException("cannot CAST '" + v + "' AS " + to + ": not a number");
                            }
                        }
                    };
                    default -> null;
                };
                if (toLong == null) {
                    break;
                }
                if (!isInt) {
                    return toLong;
                }
                return v -> {
                    long l = (Long) toLong.convert(v);
                    if (l != (int) l) {
                        throw new EvaluationException("cannot CAST " + v + " AS INT: out of range");
                    }
                    return (int) l;
                };
            }
            case DOUBLE:
                switch (f) {
                    case INT, BIGINT, DECIMAL:
                        return v -> ((Number) v).doubleValue();
                    case VARCHAR:
                        return v -> {
                            try {
                                return Double.parseDouble(((String) v).trim());
                            } catch (NumberFormatException e) {
                                throw new EvaluationException("cannot CAST '" + v + "' AS DOUBLE: not a number");
                            }
                        };
                    default:
                        break;
                }
                break;
            case DECIMAL: {
                int scale = to.scale();
                int precision = to.precision();
                switch (f) {
                    case INT, BIGINT, DECIMAL:
                        return v -> fitDecimal(toDecimal(v), scale, precision, "CAST " + v + " AS " + to);
                    case DOUBLE:
                        return v -> {
                            double d = (Double) v;
                            if (!Double.isFinite(d)) {
                                throw new EvaluationException("cannot CAST " + v + " AS " + to);
                            }
                            return fitDecimal(BigDecimal.valueOf(d), scale, precision, "CAST " + v + " AS " + to);
                        };
                    case VARCHAR:
                        return v -> {
                            BigDecimal d;
                            try {
                                d = new BigDecimal(((String) v).trim());
                            } catch (NumberFormatException e) {
                                throw new EvaluationException("cannot CAST '" + v + "' AS " + to + ": not a number");
                            }
                            return fitDecimal(d, scale, precision, "CAST '" + v + "' AS " + to);
                        };
                    default:
                        break;
                }
                break;
            }
            case VARCHAR:
                return switch (f) {
                    case BOOLEAN -> v -> (Boolean) v ? "TRUE" : "FALSE";
                    case DECIMAL -> v -> ((BigDecimal) v).toPlainString();
                    case TIMESTAMP -> v -> SQL_TIMESTAMP.format(Instant.ofEpochMilli((Long) v));
                    default -> String::valueOf;
                };
            case TIMESTAMP:
                switch (f) {
                    case VARCHAR:
                        return v -> parseTimestamp((String) v);
                    case INT, BIGINT:
                        return v -> ((Number) v).longValue();
                    default:
                        break;
                }
                break;
            default:
                break;
        }
        throw new IllegalArgumentException("CAST from " + from + " to " + to + " is not supported");
    }

    private static long decimalToLong(BigDecimal d, ColumnType to) {
        try {
            return d.setScale(0, RoundingMode.DOWN).longValueExact();
        } catch (ArithmeticException e) {
            throw new EvaluationException("cannot CAST " + d.toPlainString() + " AS " + to + ": out of range", e);
        }
    }

    /**
     * Parses a timestamp: ISO-8601 instant or offset date-time, a local date-time with {@code T} or a space
     * (UTC), or a date (midnight UTC).
     *
     * @throws EvaluationException if the text is none of these
     */
    public static long parseTimestamp(String text) {
        try {
            return dev.statefront.core.JsonValues.parseTimestamp(text);
        } catch (dev.statefront.core.DecodeException e) {
            throw new EvaluationException("cannot CAST '" + text + "' AS TIMESTAMP: expected ISO-8601 such as "
                    + "'2024-01-31T12:00:00Z' or '2024-01-31 12:00:00'");
        }
    }

    // ---------------------------------------------------------------- numbers

    /** Any runtime number as a BigDecimal. */
    static BigDecimal toDecimal(Object v) {
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof Double d) {
            return BigDecimal.valueOf(d);
        }
        return BigDecimal.valueOf(((Number) v).longValue());
    }

    private static BigDecimal fitDecimal(BigDecimal d, int scale, int precision, String what) {
        BigDecimal r = d.setScale(scale, RoundingMode.HALF_UP);
        if (r.precision() - r.scale() > precision - scale && r.signum() != 0) {
            throw new EvaluationException("DECIMAL overflow: " + what + " = " + r.toPlainString() + " does not fit DECIMAL("
                    + precision + "," + scale + ")");
        }
        return r;
    }
}
