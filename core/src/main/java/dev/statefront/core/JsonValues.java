package dev.statefront.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Typed values to and from JSON, and from text (URL path segments and query parameters).
 * Decoding is strict and follows the declared type: a string is not a number, 1.5 is not a BIGINT.
 * A TIMESTAMP accepts epoch milliseconds or an ISO-8601 string and is written as ISO-8601 with milliseconds.
 */
public final class JsonValues {
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private JsonValues() {
    }

    /**
     * Decodes one JSON value to the Java value of a column type. JSON null and a missing node are SQL NULL.
     *
     * @throws DecodeException naming the column and what was expected
     */
    public static Object fromJson(JsonNode node, Column column) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        ColumnType type = column.type();
        switch (type.kind()) {
            case BOOLEAN:
                if (node.isBoolean()) {
                    return node.booleanValue();
                }
                break;
            case INT:
                if (node.isIntegralNumber() && node.canConvertToInt()) {
                    return node.intValue();
                }
                if (node.isIntegralNumber()) {
                    throw new DecodeException("column '" + column.name() + "' is INT but " + node + " is out of range");
                }
                break;
            case BIGINT:
                if (node.isIntegralNumber() && node.canConvertToLong()) {
                    return node.longValue();
                }
                if (node.isIntegralNumber()) {
                    throw new DecodeException("column '" + column.name() + "' is BIGINT but " + node + " is out of range");
                }
                break;
            case DOUBLE:
                if (node.isNumber()) {
                    return node.doubleValue();
                }
                break;
            case DECIMAL:
                if (node.isNumber()) {
                    return toDecimal(node.decimalValue(), column);
                }
                if (node.isTextual()) {
                    try {
                        return toDecimal(new BigDecimal(node.textValue().trim()), column);
                    } catch (NumberFormatException e) {
                        throw new DecodeException("column '" + column.name() + "' is " + type + " but \""
                                + node.textValue() + "\" is not a number");
                    }
                }
                break;
            case VARCHAR:
                if (node.isTextual()) {
                    return node.textValue();
                }
                break;
            case TIMESTAMP:
                if (node.isIntegralNumber() && node.canConvertToLong()) {
                    return node.longValue();
                }
                if (node.isTextual()) {
                    return parseTimestamp(node.textValue(), column);
                }
                break;
            default:
                break;
        }
        throw new DecodeException("column '" + column.name() + "' is " + type + " but got " + describe(node));
    }

    /**
     * Decodes a value written as text, as in a URL path segment or query parameter.
     *
     * @throws DecodeException naming the column and what was expected
     */
    public static Object fromText(String text, Column column) {
        ColumnType type = column.type();
        try {
            return switch (type.kind()) {
                case BOOLEAN -> {
                    if (text.equalsIgnoreCase("true")) {
                        yield Boolean.TRUE;
                    }
                    if (text.equalsIgnoreCase("false")) {
                        yield Boolean.FALSE;
                    }
                    throw new DecodeException("column '" + column.name() + "' is BOOLEAN but got '" + text + "'");
                }
                case INT -> Integer.parseInt(text.trim());
                case BIGINT -> Long.parseLong(text.trim());
                case DOUBLE -> Double.parseDouble(text.trim());
                case DECIMAL -> toDecimal(new BigDecimal(text.trim()), column);
                case VARCHAR -> text;
                case TIMESTAMP -> text.trim().matches("-?\\d+") ? Long.parseLong(text.trim())
                        : parseTimestamp(text, column);
            };
        } catch (NumberFormatException e) {
            throw new DecodeException("column '" + column.name() + "' is " + type + " but '" + text
                    + "' is not a valid " + type);
        }
    }

    /** Encodes a Java value of a column type as JSON. */
    public static JsonNode toJson(Object v, ColumnType type) {
        if (v == null) {
            return NODES.nullNode();
        }
        return switch (type.kind()) {
            case BOOLEAN -> NODES.booleanNode((Boolean) v);
            case INT -> NODES.numberNode(((Number) v).intValue());
            case BIGINT -> NODES.numberNode(((Number) v).longValue());
            case DOUBLE -> {
                double d = ((Number) v).doubleValue();
                yield Double.isFinite(d) ? NODES.numberNode(d) : NODES.textNode(Double.toString(d));
            }
            case DECIMAL -> NODES.numberNode((BigDecimal) v);
            case VARCHAR -> NODES.textNode((String) v);
            case TIMESTAMP -> NODES.textNode(formatTimestamp(((Number) v).longValue()));
        };
    }

    /** A row as a JSON object, columns by name in schema order. */
    public static ObjectNode rowToJson(List<Column> columns, Object[] row) {
        ObjectNode node = NODES.objectNode();
        for (int i = 0; i < columns.size(); i++) {
            node.set(columns.get(i).name(), toJson(row[i], columns.get(i).type()));
        }
        return node;
    }

    /**
     * A JSON object as a row of the given columns: fields by name (exact, then case-insensitive), missing
     * fields NULL, extra fields ignored.
     *
     * @throws DecodeException if the node is not an object or a field does not fit its column
     */
    public static Object[] rowFromJson(List<Column> columns, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new DecodeException("expected a JSON object but got " + describe(node));
        }
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < row.length; i++) {
            Column c = columns.get(i);
            JsonNode field = node.get(c.name());
            if (field == null) {
                field = findIgnoreCase(node, c.name());
            }
            row[i] = fromJson(field, c);
        }
        return row;
    }

    /** ISO-8601 UTC with milliseconds, e.g. {@code 2023-11-14T22:13:20.042Z}. */
    public static String formatTimestamp(long epochMillis) {
        if (epochMillis < MIN_FAST_MILLIS || epochMillis > MAX_FAST_MILLIS) {
            return ISO_MILLIS.format(Instant.ofEpochMilli(epochMillis));
        }
        // every change record carries timestamps: formatted by hand, equal to ISO_MILLIS for years 0001-9999
        long day = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
        int ms = (int) Math.floorMod(epochMillis, MILLIS_PER_DAY);
        LocalDate date = LocalDate.ofEpochDay(day);
        byte[] b = new byte[24];
        digits(b, 0, date.getYear(), 4);
        b[4] = '-';
        digits(b, 5, date.getMonthValue(), 2);
        b[7] = '-';
        digits(b, 8, date.getDayOfMonth(), 2);
        b[10] = 'T';
        digits(b, 11, ms / 3_600_000, 2);
        b[13] = ':';
        digits(b, 14, ms / 60_000 % 60, 2);
        b[16] = ':';
        digits(b, 17, ms / 1000 % 60, 2);
        b[19] = '.';
        digits(b, 20, ms % 1000, 3);
        b[23] = 'Z';
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static final long MILLIS_PER_DAY = 86_400_000L;
    private static final long MIN_FAST_MILLIS = LocalDate.of(1, 1, 1).toEpochDay() * MILLIS_PER_DAY;
    private static final long MAX_FAST_MILLIS = (LocalDate.of(9999, 12, 31).toEpochDay() + 1) * MILLIS_PER_DAY - 1;

    private static void digits(byte[] b, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            b[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    /**
     * The canonical form {@link #formatTimestamp} writes ({@code uuuu-MM-ddTHH:mm:ss.SSSZ}, or without the
     * fraction), parsed without java.time's general parser; {@link Long#MIN_VALUE} if {@code s} is not in that
     * form.
     */
    private static long parseCanonical(String s) {
        int n = s.length();
        if ((n != 24 && n != 20) || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':' || s.charAt(n - 1) != 'Z'
                || (n == 24 && s.charAt(19) != '.')) {
            return Long.MIN_VALUE;
        }
        int year = number(s, 0, 4);
        int month = number(s, 5, 2);
        int day = number(s, 8, 2);
        int hour = number(s, 11, 2);
        int minute = number(s, 14, 2);
        int second = number(s, 17, 2);
        int millis = n == 24 ? number(s, 20, 3) : 0;
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > 28 && day > java.time.YearMonth.of(year,
                month).lengthOfMonth() || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
                || second > 59 || millis < 0) {
            return Long.MIN_VALUE;
        }
        return LocalDate.of(year, month, day).toEpochDay() * MILLIS_PER_DAY
                + ((hour * 60L + minute) * 60 + second) * 1000 + millis;
    }

    /** The decimal number of {@code width} digits at {@code at}, or a negative number if one is not a digit. */
    private static int number(String s, int at, int width) {
        int v = 0;
        for (int i = at; i < at + width; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return Integer.MIN_VALUE;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /**
     * Parses an ISO-8601 instant, offset date-time, local date-time (taken as UTC, 'T' or space) or date.
     *
     * @throws DecodeException naming the column
     */
    public static long parseTimestamp(String text, Column column) {
        try {
            return parseTimestamp(text);
        } catch (DecodeException e) {
            throw new DecodeException("column '" + column.name() + "' is TIMESTAMP but \"" + text
                    + "\" is neither epoch milliseconds nor an ISO-8601 timestamp");
        }
    }

    /**
     * Parses an ISO-8601 instant, offset date-time, local date-time (taken as UTC, 'T' or space) or date to
     * epoch milliseconds.
     *
     * @throws DecodeException if the text is none of these
     */
    public static long parseTimestamp(String text) {
        String s = text.trim();
        long canonical = parseCanonical(s);
        if (canonical != Long.MIN_VALUE) {
            return canonical;
        }
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException ignored) {
            // try the other ISO forms
        }
        try {
            return OffsetDateTime.parse(s.replace(' ', 'T')).toInstant().toEpochMilli();
        } catch (DateTimeParseException ignored) {
            // try the other ISO forms
        }
        try {
            return LocalDateTime.parse(s.replace(' ', 'T')).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException ignored) {
            // try the other ISO forms
        }
        try {
            return LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new DecodeException("'" + text + "' is not an ISO-8601 timestamp", e);
        }
    }

    private static BigDecimal toDecimal(BigDecimal d, Column column) {
        ColumnType type = column.type();
        BigDecimal scaled = d.setScale(type.scale(), RoundingMode.HALF_UP);
        if (scaled.precision() > type.precision() && scaled.signum() != 0) {
            throw new DecodeException("column '" + column.name() + "' is " + type + " but " + d.toPlainString()
                    + " has more than " + (type.precision() - type.scale()) + " digits before the point");
        }
        return scaled;
    }

    private static JsonNode findIgnoreCase(JsonNode node, String name) {
        var it = node.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    private static String describe(JsonNode node) {
        if (node == null) {
            return "nothing";
        }
        String text = node.toString();
        if (text.length() > 60) {
            text = text.substring(0, 57) + "...";
        }
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + text;
    }
}
