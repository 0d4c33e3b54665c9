package dev.statefront.state.store;

/**
 * One stored entry: the encoded key and the encoded value.
 *
 * @param key the key bytes, never null
 * @param value the value bytes, never null
 */
public record KeyValue(byte[] key, byte[] value) {
}
