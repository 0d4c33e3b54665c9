package dev.statefront.processor.plan;

import dev.statefront.core.ColumnType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** Binary form of single non-null values and variable-length counters inside group state. */
final class StateValueCodec {
    private StateValueCodec() {
    }

    static void writeValue(DataOutput out, ColumnType type, Object v) throws IOException {
        switch (type.kind()) {
            case BOOLEAN -> out.writeBoolean((Boolean) v);
            case INT -> out.writeInt((Integer) v);
            case BIGINT, TIMESTAMP -> out.writeLong(((Number) v).longValue());
            case DOUBLE -> out.writeDouble((Double) v);
            case DECIMAL -> writeDecimal(out, (BigDecimal) v);
            case VARCHAR -> {
                byte[] utf8 = ((String) v).getBytes(StandardCharsets.UTF_8);
                writeVarLong(out, utf8.length);
                out.write(utf8);
            }
            default -> throw new IllegalStateException("no state encoding for " + type);
        }
    }

    static Object readValue(DataInput in, ColumnType type) throws IOException {
        return switch (type.kind()) {
            case BOOLEAN -> in.readBoolean();
            case INT -> in.readInt();
            case BIGINT, TIMESTAMP -> in.readLong();
            case DOUBLE -> in.readDouble();
            case DECIMAL -> readDecimal(in);
            case VARCHAR -> {
                byte[] utf8 = new byte[(int) readVarLong(in)];
                in.readFully(utf8);
                yield new String(utf8, StandardCharsets.UTF_8);
            }
        };
    }

    static void writeDecimal(DataOutput out, BigDecimal d) throws IOException {
        byte[] unscaled = d.unscaledValue().toByteArray();
        writeVarLong(out, zigZag(d.scale()));
        writeVarLong(out, unscaled.length);
        out.write(unscaled);
    }

    static BigDecimal readDecimal(DataInput in) throws IOException {
        int scale = (int) unZigZag(readVarLong(in));
        byte[] unscaled = new byte[(int) readVarLong(in)];
        in.readFully(unscaled);
        return new BigDecimal(new BigInteger(unscaled), scale);
    }

    /** Unsigned LEB128. */
    static void writeVarLong(DataOutput out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    static long readVarLong(DataInput in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("malformed variable-length integer");
    }

    static void writeSignedVarLong(DataOutput out, long v) throws IOException {
        writeVarLong(out, zigZag(v));
    }

    static long readSignedVarLong(DataInput in) throws IOException {
        return unZigZag(readVarLong(in));
    }

    private static long zigZag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unZigZag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
