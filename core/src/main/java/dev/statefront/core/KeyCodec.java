package dev.statefront.core;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Order-preserving encoding of typed key tuples: comparing two encodings as unsigned bytes gives the SQL
 * order of the tuples, column by column, NULL first. Every encoded column is self-delimiting, so a tuple
 * of the first k columns is a byte prefix of every longer tuple that starts with the same values.
 *
 * <p>Per column: a marker byte ({@code 0x00} NULL, {@code 0x01} a value), then the value: BOOLEAN one byte;
 * INT, BIGINT and TIMESTAMP big-endian with the sign bit flipped; DOUBLE IEEE bits made to sort (negative
 * numbers inverted, -0.0 as 0.0); DECIMAL the 128-bit unscaled value at the column's scale, sign flipped;
 * VARCHAR UTF-8 with {@code 0x00} escaped as {@code 0x00 0xFF}, ended by {@code 0x00}.
 */
public final class KeyCodec {
    private static final byte NULL = 0x00;
    private static final byte PRESENT = 0x01;

    private KeyCodec() {
    }

    /**
     * Encodes a full key.
     *
     * @param types the key column types
     * @param key the values, one per type; elements may be null
     * @throws IllegalArgumentException if the arity or a value's Java type does not fit
     */
    public static byte[] encode(List<ColumnType> types, Object[] key) {
        if (key.length != types.size()) {
            throw new IllegalArgumentException("key has " + key.length + " values, expected " + types.size());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + 8 * key.length);
        for (int i = 0; i < key.length; i++) {
            writeColumn(out, types.get(i), key[i]);
        }
        return out.toByteArray();
    }

    /**
     * Encodes the leading columns of a key for a prefix scan. When {@code stringPrefix} is true, the last
     * given value must be a VARCHAR and matches every string that starts with it.
     *
     * @param types the key column types of the whole key
     * @param leading values for the first {@code leading.length} key columns (at most the key's arity)
     */
    public static byte[] encodePrefix(List<ColumnType> types, Object[] leading, boolean stringPrefix) {
        if (leading.length > types.size()) {
            throw new IllegalArgumentException("prefix has " + leading.length + " values, key has only "
                    + types.size() + " columns");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + 8 * leading.length);
        for (int i = 0; i < leading.length; i++) {
            boolean last = i == leading.length - 1;
            if (last && stringPrefix) {
                if (types.get(i).kind() != ColumnType.Kind.VARCHAR || !(leading[i] instanceof String s)) {
                    throw new IllegalArgumentException("a string prefix needs a VARCHAR key column, column "
                            + (i + 1) + " is " + types.get(i));
                }
                out.write(PRESENT);
                writeEscaped(out, s);
            } else {
                writeColumn(out, types.get(i), leading[i]);
            }
        }
        return out.toByteArray();
    }

    /**
     * Decodes a full key.
     *
     * @throws IllegalArgumentException if the bytes are not a key of these types
     */
    public static Object[] decode(List<ColumnType> types, byte[] bytes) {
        Object[] key = new Object[types.size()];
        int[] pos = {0};
        try {
            for (int i = 0; i < key.length; i++) {
                key[i] = readColumn(bytes, pos, types.get(i));
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated key of types " + types, e);
        }
        if (pos[0] != bytes.length) {
            throw new IllegalArgumentException("key of types " + types + " has " + (bytes.length - pos[0])
                    + " trailing bytes");
        }
        return key;
    }

    /** The smallest byte string greater than every string that starts with {@code prefix}, or null if none. */
    public static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xFF) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return null;
    }

    /** The smallest byte string strictly greater than {@code key}. */
    public static byte[] successor(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    /** Unsigned lexicographic comparison, the order RocksDB's default comparator uses. */
    public static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    private static void writeColumn(ByteArrayOutputStream out, ColumnType type, Object v) {
        if (v == null) {
            out.write(NULL);
            return;
        }
        out.write(PRESENT);
        try {
            switch (type.kind()) {
                case BOOLEAN -> out.write(((Boolean) v) ? 1 : 0);
                case INT -> writeInt(out, ((Number) v).intValue() ^ Integer.MIN_VALUE);
                case BIGINT, TIMESTAMP -> writeLong(out, ((Number) v).longValue() ^ Long.MIN_VALUE);
                case DOUBLE -> writeLong(out, sortableDouble((Double) v));
                case DECIMAL -> writeDecimal(out, (BigDecimal) v, type);
                case VARCHAR -> {
                    writeEscaped(out, (String) v);
                    out.write(0x00);
                }
                default -> throw new IllegalStateException("unknown kind " + type.kind());
            }
        } catch (ClassCastException e) {
            throw new IllegalArgumentException("value " + v + " (" + v.getClass().getSimpleName()
                    + ") does not fit key type " + type, e);
        }
    }

    private static Object readColumn(byte[] b, int[] pos, ColumnType type) {
        byte marker = b[pos[0]++];
        if (marker == NULL) {
            return null;
        }
        if (marker != PRESENT) {
            throw new IllegalArgumentException("bad key marker byte " + marker + " at " + (pos[0] - 1));
        }
        switch (type.kind()) {
            case BOOLEAN:
                return b[pos[0]++] != 0;
            case INT: {
                int v = readInt(b, pos[0]) ^ Integer.MIN_VALUE;
                pos[0] += 4;
                return v;
            }
            case BIGINT:
            case TIMESTAMP: {
                long v = readLong(b, pos[0]) ^ Long.MIN_VALUE;
                pos[0] += 8;
                return v;
            }
            case DOUBLE: {
                long bits = readLong(b, pos[0]);
                pos[0] += 8;
                bits = bits < 0 ? bits ^ Long.MIN_VALUE : ~bits;
                return Double.longBitsToDouble(bits);
            }
            case DECIMAL: {
                byte[] raw = Arrays.copyOfRange(b, pos[0], pos[0] + 16);
                pos[0] += 16;
                raw[0] ^= (byte) 0x80;
                return new BigDecimal(new BigInteger(raw), type.scale());
            }
            case VARCHAR: {
                ByteArrayOutputStream s = new ByteArrayOutputStream();
                while (true) {
                    byte c = b[pos[0]++];
                    if (c == 0x00) {
                        if (pos[0] < b.length && b[pos[0]] == (byte) 0xFF) {
                            s.write(0x00);
                            pos[0]++;
                        } else {
                            break;
                        }
                    } else {
                        s.write(c);
                    }
                }
                return s.toString(StandardCharsets.UTF_8);
            }
            default:
                throw new IllegalStateException("unknown kind " + type.kind());
        }
    }

    private static long sortableDouble(double d) {
        if (d == 0.0) {
            d = 0.0; // -0.0 and 0.0 are equal in SQL
        }
        long bits = Double.doubleToLongBits(d); // canonical NaN, which sorts above +Infinity
        return bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
    }

    private static void writeDecimal(ByteArrayOutputStream out, BigDecimal v, ColumnType type) {
        BigInteger unscaled = v.setScale(type.scale(), RoundingMode.HALF_UP).unscaledValue();
        if (unscaled.bitLength() > 127) {
            throw new IllegalArgumentException("decimal " + v + " does not fit " + type);
        }
        byte[] raw = unscaled.toByteArray();
        byte[] fixed = new byte[16];
        byte fill = unscaled.signum() < 0 ? (byte) 0xFF : 0;
        Arrays.fill(fixed, 0, 16 - raw.length, fill);
        System.arraycopy(raw, 0, fixed, 16 - raw.length, raw.length);
        fixed[0] ^= (byte) 0x80;
        out.writeBytes(fixed);
    }

    private static void writeEscaped(ByteArrayOutputStream out, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        for (byte c : utf8) {
            out.write(c);
            if (c == 0x00) {
                out.write(0xFF);
            }
        }
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    private static void writeLong(ByteArrayOutputStream out, long v) {
        writeInt(out, (int) (v >>> 32));
        writeInt(out, (int) v);
    }

    private static int readInt(byte[] b, int p) {
        return ((b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
    }

    private static long readLong(byte[] b, int p) {
        return ((long) readInt(b, p) << 32) | (readInt(b, p + 4) & 0xFFFFFFFFL);
    }
}
