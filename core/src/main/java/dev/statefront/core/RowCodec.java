package dev.statefront.core;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Compact binary encoding of a row's values for storage (not order-preserving; see {@link KeyCodec}).
 * Per column: a marker byte (0 NULL, 1 value) then the value; strings and decimals are length-prefixed.
 */
public final class RowCodec {
    private RowCodec() {
    }

    /** Encodes the values of a row of the given column types. */
    public static byte[] encode(List<Column> columns, Object[] row) {
        int size = 0;
        for (int i = 0; i < row.length; i++) {
            size += 1 + sizeOf(columns.get(i).type(), row[i]);
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        for (int i = 0; i < row.length; i++) {
            Object v = row[i];
            if (v == null) {
                buf.put((byte) 0);
                continue;
            }
            buf.put((byte) 1);
            switch (columns.get(i).type().kind()) {
                case BOOLEAN -> buf.put((byte) (((Boolean) v) ? 1 : 0));
                case INT -> buf.putInt(((Number) v).intValue());
                case BIGINT, TIMESTAMP -> buf.putLong(((Number) v).longValue());
                case DOUBLE -> buf.putDouble(((Number) v).doubleValue());
                case DECIMAL -> {
                    BigDecimal d = (BigDecimal) v;
                    byte[] unscaled = d.unscaledValue().toByteArray();
                    buf.put((byte) d.scale());
                    buf.put((byte) unscaled.length);
                    buf.put(unscaled);
                }
                case VARCHAR -> {
                    byte[] utf8 = ((String) v).getBytes(StandardCharsets.UTF_8);
                    buf.putInt(utf8.length);
                    buf.put(utf8);
                }
                default -> throw new IllegalStateException();
            }
        }
        return buf.array();
    }

    /**
     * Decodes a row of the given column types.
     *
     * @throws IllegalArgumentException if the bytes do not hold such a row
     */
    public static Object[] decode(List<Column> columns, byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        Object[] row = new Object[columns.size()];
        try {
            for (int i = 0; i < row.length; i++) {
                if (buf.get() == 0) {
                    continue;
                }
                row[i] = switch (columns.get(i).type().kind()) {
                    case BOOLEAN -> buf.get() != 0;
                    case INT -> buf.getInt();
                    case BIGINT, TIMESTAMP -> buf.getLong();
                    case DOUBLE -> buf.getDouble();
                    case DECIMAL -> {
                        int scale = buf.get();
                        byte[] unscaled = new byte[buf.get()];
                        buf.get(unscaled);
                        yield new BigDecimal(new BigInteger(unscaled), scale);
                    }
                    case VARCHAR -> {
                        byte[] utf8 = new byte[buf.getInt()];
                        buf.get(utf8);
                        yield new String(utf8, StandardCharsets.UTF_8);
                    }
                };
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bytes are not a row of " + columns, e);
        }
        return row;
    }

    private static int sizeOf(ColumnType type, Object v) {
        if (v == null) {
            return 0;
        }
        return switch (type.kind()) {
            case BOOLEAN -> 1;
            case INT -> 4;
            case BIGINT, TIMESTAMP, DOUBLE -> 8;
            case DECIMAL -> 2 + ((BigDecimal) v).unscaledValue().toByteArray().length;
            case VARCHAR -> 4 + ((String) v).getBytes(StandardCharsets.UTF_8).length;
        };
    }
}
