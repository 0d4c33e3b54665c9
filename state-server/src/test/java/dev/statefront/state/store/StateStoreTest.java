package dev.statefront.state.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
    @TempDir
    Path dir;

    private static byte[] b(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    @Test
    void shouldScanInUnsignedByteOrderWithinBounds() {
        try (StateStore store = StateStore.open(dir)) {
            store.ensureView("v");
            try (StoreBatch batch = store.newBatch()) {
                batch.put("v", b(0x80), b(1));
                batch.put("v", b(0x01), b(2));
                batch.put("v", b(0xFF, 0x00), b(3));
                batch.put("v", b(0x01, 0x05), b(4));
                store.write(batch);
            }
            List<KeyValue> all = store.scan("v", null, null, 10, null);
            assertEquals(4, all.size());
            assertArrayEquals(b(0x01), all.get(0).key());
            assertArrayEquals(b(0x01, 0x05), all.get(1).key());
            assertArrayEquals(b(0x80), all.get(2).key());
            assertArrayEquals(b(0xFF, 0x00), all.get(3).key());
            List<KeyValue> mid = store.scan("v", b(0x01, 0x01), b(0xFF), 10, null);
            assertEquals(2, mid.size());
            assertEquals(1, store.scan("v", null, null, 1, null).size());
            assertEquals(2, store.scan("v", null, null, 10, k -> k.length == 2).size());
        }
    }

    @Test
    void shouldKeepViewsAndMetaAcrossReopen() {
        try (StateStore store = StateStore.open(dir)) {
            store.ensureView("a");
            store.ensureView("b");
            try (StoreBatch batch = store.newBatch()) {
                batch.put("a", b(1), b(10));
                batch.putMeta(b(9, 9), b(7));
                store.write(batch);
            }
        }
        try (StateStore store = StateStore.open(dir)) {
            assertTrue(store.views().containsAll(List.of("a", "b")));
            assertArrayEquals(b(10), store.get("a", b(1)));
            assertNull(store.get("b", b(1)));
            assertArrayEquals(b(7), store.getMeta(b(9, 9)));
            assertEquals(1, store.scanMeta(b(9)).size());
        }
    }

    @Test
    void shouldRefuseOperationsAfterCloseAndUnknownViews() {
        StateStore store = StateStore.open(dir);
        StoreException unknown = assertThrows(StoreException.class, () -> store.get("nope", b(1)));
        assertTrue(unknown.getMessage().contains("'nope'"), unknown.getMessage());
        store.close();
        store.close();
        assertThrows(StoreException.class, () -> store.getMeta(b(1)));
    }

    @Test
    void shouldFailClearlyWhenTheDirectoryIsLocked() {
        try (StateStore store = StateStore.open(dir)) {
            StoreException e = assertThrows(StoreException.class, () -> StateStore.open(dir));
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        }
    }
}
