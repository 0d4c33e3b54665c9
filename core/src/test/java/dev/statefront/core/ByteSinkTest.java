package dev.statefront.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ByteSinkTest {

    /** Single bytes, slices and whole arrays, past the initial room many times: the JDK stream is the oracle. */
    @Test
    void shouldHoldWhatTheJdkStreamHoldsAcrossGrowth() throws IOException {
        Random random = new Random(7);
        ByteSink sink = new ByteSink(1);
        ByteArrayOutputStream oracle = new ByteArrayOutputStream();
        for (int i = 0; i < 5_000; i++) {
            switch (random.nextInt(3)) {
                case 0 -> {
                    int b = random.nextInt(512) - 256; // only the low eight bits count
                    sink.write(b);
                    oracle.write(b);
                }
                case 1 -> {
                    byte[] a = new byte[random.nextInt(40)];
                    random.nextBytes(a);
                    int off = a.length == 0 ? 0 : random.nextInt(a.length);
                    int len = random.nextInt(a.length - off + 1);
                    sink.write(a, off, len);
                    oracle.write(a, off, len);
                }
                default -> {
                    byte[] a = new byte[random.nextInt(70)];
                    random.nextBytes(a);
                    sink.writeBytes(a);
                    oracle.writeBytes(a);
                }
            }
        }
        assertEquals(oracle.size(), sink.size());
        assertArrayEquals(oracle.toByteArray(), sink.toByteArray());
    }

    @Test
    void shouldWorkUnderADataOutputStream() throws IOException {
        ByteSink sink = new ByteSink(2);
        DataOutputStream out = new DataOutputStream(sink);
        out.writeByte(1);
        out.writeLong(0x0102030405060708L);
        out.writeUTF("é");
        assertArrayEquals(new byte[] {1, 1, 2, 3, 4, 5, 6, 7, 8, 0, 2, (byte) 0xC3, (byte) 0xA9}, sink.toByteArray());
    }

    @Test
    void shouldRefuseASliceOutsideTheArray() {
        ByteSink sink = new ByteSink(4);
        assertThrows(IndexOutOfBoundsException.class, () -> sink.write(new byte[3], 2, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> sink.write(new byte[3], -1, 1));
        assertEquals(0, sink.size());
    }
}
