package dev.statefront.ingest.cdc;

import java.util.Map;
import java.util.Objects;

/**
 * Settings shared by every captured table, resolved and validated by the caller (the app's configuration).
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param appId the application id: prefix of the offsets topic and of replication slot and publication names
 * @param topicPartitions partitions of table topics the ingest creates
 * @param replicationFactor replication factor of topics the ingest creates
 * @param kafkaOverrides extra Kafka client settings (security, tuning)
 */
public record CdcConfig(String bootstrapServers, String appId, int topicPartitions, short replicationFactor,
                        Map<String, Object> kafkaOverrides) {
    public CdcConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(appId, "appId");
        kafkaOverrides = Map.copyOf(kafkaOverrides);
        if (topicPartitions < 1) {
            throw new IllegalArgumentException("topicPartitions must be at least 1, got " + topicPartitions);
        }
    }

    /** The compacted topic holding every capture's Debezium offsets (one key per engine). */
    public String offsetsTopic() {
        return appId + "-cdc-offsets";
    }
}
