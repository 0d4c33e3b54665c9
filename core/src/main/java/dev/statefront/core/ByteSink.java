package dev.statefront.core;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * A {@link ByteArrayOutputStream} without the lock on every write, for a buffer only its writer sees. The key and
 * group-state encoders write a byte at a time; the JDK class's writes are {@code synchronized}, and without biased
 * locking (JDK 15 and later) each one is an atomic operation on the stream. Not thread-safe.
 */
public final class ByteSink extends ByteArrayOutputStream {

    /** A sink with room for {@code size} bytes before it grows. */
    public ByteSink(int size) {
        super(size);
    }

    @Override
    public void write(int b) {
        if (count == buf.length) {
            grow(count + 1);
        }
        buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len > buf.length - count) {
            grow(count + len);
        }
        System.arraycopy(b, off, buf, count, len);
        count += len;
    }

    @Override
    public void writeBytes(byte[] b) {
        write(b, 0, b.length);
    }

    private void grow(int needed) {
        if (needed < 0) {
            throw new OutOfMemoryError("a byte sink cannot hold more than 2 GiB");
        }
        buf = Arrays.copyOf(buf, Math.max(needed, buf.length * 2));
    }
}
