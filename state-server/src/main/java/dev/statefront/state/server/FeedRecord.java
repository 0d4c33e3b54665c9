package dev.statefront.state.server;

import dev.statefront.core.ChangeEvent;
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
 * @param keyValues the view key the key bytes encode, when the writer handed it over decoded; else null
 * @param event the change the value bytes encode, when the writer handed it over decoded; else null
 */
public record FeedRecord(String topic, int partition, long offset, byte[] key, byte[] value, Object[] keyValues,
                         ChangeEvent event) {
    public FeedRecord {
        Objects.requireNonNull(topic, "topic");
    }

    /** A record as read from Kafka: bytes only. */
    public FeedRecord(String topic, int partition, long offset, byte[] key, byte[] value) {
        this(topic, partition, offset, key, value, null, null);
    }
}
