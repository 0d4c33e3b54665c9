package dev.statefront.core;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SQL column type. Java representation of values: BOOLEAN {@link Boolean}, INT {@link Integer},
 * BIGINT {@link Long}, DOUBLE {@link Double}, DECIMAL {@link java.math.BigDecimal} (at the type's scale),
 * VARCHAR {@link String}, TIMESTAMP {@link Long} epoch milliseconds (UTC). SQL NULL is Java {@code null}.
 */
public final class ColumnType {

    /** The kinds of column type. */
    public enum Kind { BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL, VARCHAR, TIMESTAMP }

    /** Largest DECIMAL precision: the unscaled value must fit in 128 bits for the key encoding. */
    public static final int MAX_DECIMAL_PRECISION = 38;

    public static final ColumnType BOOLEAN = new ColumnType(Kind.BOOLEAN, 0, 0);
    public static final ColumnType INT = new ColumnType(Kind.INT, 0, 0);
    public static final ColumnType BIGINT = new ColumnType(Kind.BIGINT, 0, 0);
    public static final ColumnType DOUBLE = new ColumnType(Kind.DOUBLE, 0, 0);
    public static final ColumnType VARCHAR = new ColumnType(Kind.VARCHAR, 0, 0);
    public static final ColumnType TIMESTAMP = new ColumnType(Kind.TIMESTAMP, 0, 0);

    private static final Pattern DECIMAL_PATTERN =
            Pattern.compile("DECIMAL\\s*\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\)");

    private final Kind kind;
    private final int precision;
    private final int scale;

    private ColumnType(Kind kind, int precision, int scale) {
        this.kind = kind;
        this.precision = precision;
        this.scale = scale;
    }

    /**
     * A DECIMAL(precision, scale) type.
     *
     * @throws IllegalArgumentException if precision is not in 1..38 or scale not in 0..precision
     */
    public static ColumnType decimal(int precision, int scale) {
        if (precision < 1 || precision > MAX_DECIMAL_PRECISION) {
            throw new IllegalArgumentException("DECIMAL precision must be between 1 and " + MAX_DECIMAL_PRECISION
                    + ", got " + precision);
        }
        if (scale < 0 || scale > precision) {
            throw new IllegalArgumentException("DECIMAL scale must be between 0 and the precision " + precision
                    + ", got " + scale);
        }
        return new ColumnType(Kind.DECIMAL, precision, scale);
    }

    /**
     * Parses a type name as written in SQL or in {@link #toString()}: {@code BIGINT}, {@code DECIMAL(10,2)},
     * {@code VARCHAR(20)} (the length is accepted and ignored), {@code INTEGER}, {@code TIMESTAMP(3)}.
     *
     * @throws IllegalArgumentException naming the type if it is not supported
     */
    public static ColumnType parse(String sql) {
        String s = sql.trim().toUpperCase(Locale.ROOT);
        Matcher m = DECIMAL_PATTERN.matcher(s);
        if (m.matches()) {
            return decimal(Integer.parseInt(m.group(1)), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
        }
        String base = s.replaceAll("\\s*\\(.*\\)$", "");
        switch (base) {
            case "BOOLEAN": return BOOLEAN;
            case "INT": case "INTEGER": return INT;
            case "BIGINT": return BIGINT;
            case "DOUBLE": case "DOUBLE PRECISION": return DOUBLE;
            case "DECIMAL": case "NUMERIC": return decimal(MAX_DECIMAL_PRECISION, 0);
            case "VARCHAR": case "STRING": case "TEXT": case "CHARACTER VARYING": return VARCHAR;
            case "TIMESTAMP": return TIMESTAMP;
            default:
                throw new IllegalArgumentException("unsupported type '" + sql.trim()
                        + "'; supported: BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p,s), VARCHAR, TIMESTAMP");
        }
    }

    public Kind kind() {
        return kind;
    }

    /** DECIMAL precision; 0 for other kinds. */
    public int precision() {
        return precision;
    }

    /** DECIMAL scale; 0 for other kinds. */
    public int scale() {
        return scale;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ColumnType t && t.kind == kind && t.precision == precision && t.scale == scale;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, precision, scale);
    }

    /** The SQL spelling, which {@link #parse(String)} reads back. */
    @Override
    public String toString() {
        return kind == Kind.DECIMAL ? "DECIMAL(" + precision + "," + scale + ")" : kind.name();
    }
}
