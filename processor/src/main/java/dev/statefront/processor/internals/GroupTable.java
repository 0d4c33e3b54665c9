package dev.statefront.processor.internals;

import java.util.Arrays;

/**
 * The groups one transaction has touched in a view partition, found by their encoded key. Every source record
 * looks up its group here, and under a backlog a transaction touches tens of thousands of groups, so a lookup
 * mostly waits for memory. A {@link java.util.HashMap} reads its bucket, a node, the key object and the key bytes;
 * this open-addressing table reads the slot, then the entry, which holds its key's hash and bytes. The key to look
 * up is the bytes of a reused buffer, so nothing is allocated until a group is new.
 * Entries are iterated in the order they joined, and {@link #clear()} touches only the slots in use.
 *
 * @param <E> the entries, each knowing its key bytes and their hash
 */
final class GroupTable<E extends GroupTable.Keyed> {
    /** What the table needs of an entry. */
    interface Keyed {
        byte[] keyBytes();

        /** {@link Arrays#hashCode(byte[])} of {@link #keyBytes()}. */
        int keyHash();
    }

    private static final int MIN_CAPACITY = 64;

    /** The slots, at most a quarter full, so a lookup seldom reads an entry that is not its own. */
    private Object[] slots;
    /** The entries in the order they joined, and the slot each sits in. */
    private Object[] order;
    private int[] orderSlots;
    /** 32 minus log2 of the capacity: a key's first slot is the top bits of its spread hash. */
    private int shift;
    private int size;

    GroupTable() {
        allocate(MIN_CAPACITY);
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The entry whose key is {@code key[0..length)}, whose {@link Arrays#hashCode(byte[])} is {@code hash}. */
    @SuppressWarnings("unchecked")
    E get(byte[] key, int length, int hash) {
        int mask = slots.length - 1;
        for (int i = index(hash); ; i = (i + 1) & mask) {
            E e = (E) slots[i];
            if (e == null) {
                return null;
            }
            if (e.keyHash() == hash) {
                byte[] k = e.keyBytes();
                if (Arrays.equals(k, 0, k.length, key, 0, length)) {
                    return e;
                }
            }
        }
    }

    /** Adds an entry whose key is not in the table yet. */
    void add(E e) {
        if (size == order.length) {
            grow();
        }
        int mask = slots.length - 1;
        int i = index(e.keyHash());
        while (slots[i] != null) {
            i = (i + 1) & mask;
        }
        slots[i] = e;
        order[size] = e;
        orderSlots[size] = i;
        size++;
    }

    /** The entry that joined {@code i}-th, {@code 0 <= i < size()}. */
    @SuppressWarnings("unchecked")
    E at(int i) {
        return (E) order[i];
    }

    /** Empties the table; it keeps its capacity for the next transaction unless that is far more than it held. */
    void clear() {
        if (slots.length > MIN_CAPACITY && size < order.length / 16) {
            allocate(Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, size)) * 8));
        } else {
            for (int i = 0; i < size; i++) {
                slots[orderSlots[i]] = null;
            }
            Arrays.fill(order, 0, size, null);
        }
        size = 0;
    }

    private void grow() {
        Object[] entries = Arrays.copyOf(order, size);
        allocate(slots.length * 2);
        size = 0;
        for (Object e : entries) {
            @SuppressWarnings("unchecked")
            E entry = (E) e;
            add(entry);
        }
    }

    private void allocate(int capacity) {
        slots = new Object[capacity];
        order = new Object[capacity / 4];
        orderSlots = new int[capacity / 4];
        shift = 32 - Integer.numberOfTrailingZeros(capacity);
    }

    /** Fibonacci hashing: spreads the hashes of similar keys ({@code c-17}, {@code c-18}) over the slots. */
    private int index(int hash) {
        return (hash * 0x9E3779B9) >>> shift;
    }
}
