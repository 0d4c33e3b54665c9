package dev.statefront.state.internals;

import dev.statefront.core.ChangeEvent;

/**
 * One applied change as handed to subscribers: shared, immutable, one instance for every subscriber.
 *
 * @param partition the view partition
 * @param offset its change-topic offset
 * @param keyBytes the key in {@code KeyCodec} encoding, for range filters
 * @param key the key values
 * @param event the change
 */
record PublishedChange(int partition, long offset, byte[] keyBytes, Object[] key, ChangeEvent event) {
}
