package dev.statefront.ingest;

/**
 * Where one event was written.
 *
 * @param partition the source topic partition
 * @param offset the record's offset
 */
public record RecordOffset(int partition, long offset) {
}
