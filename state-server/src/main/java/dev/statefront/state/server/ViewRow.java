package dev.statefront.state.server;

/**
 * One row of a view as returned by a scan.
 *
 * @param key the key in {@code KeyCodec} encoding (scans are ordered by it)
 * @param row the column values in schema order
 */
public record ViewRow(byte[] key, Object[] row) {
}
