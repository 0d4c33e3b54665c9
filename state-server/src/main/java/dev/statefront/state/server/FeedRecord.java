package dev.statefront.state.server;

import java.util.Objects;

/**
 * A record read from one of the topics a state server follows (catalog, progress or a view change topic), as
 * the Kafka consumer hands it over. Headers are not carried: none matter to the state server.
 *
 * @param topic the topic
 * @param partition the partition
 * @param offset the offset
 * @param key the key bytes, may be null
 * @param value the value bytes, null for a tombstone
 */
public record FeedRecord(String topic, int partition, long offset, byte[] key, byte[] value) {
    public FeedRecord {
        Objects.requireNonNull(topic, "topic");
    }
}
