package dev.statefront.processor;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of a processor, resolved and validated by the caller (the app's {@code StatefrontConfig}).
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param appId the application id: prefix of every topic and group Statefront owns
 * @param stateDir where task state (RocksDB) lives; created if absent
 * @param sqlScript the SQL defining sources and views
 * @param topicPartitions partitions of source topics the processor has to create
 * @param replicationFactor replication factor of topics the processor creates
 * @param progressIntervalMs how often an idle processor reports progress (bounds reported lag when idle)
 * @param kafkaOverrides extra Kafka client settings applied to every client (security, tuning)
 * @param changeSchemas whether view change topics embed Kafka Connect schemas ({@code {"schema", "payload"}}), so
 *                      Debezium's and Connect's schema-aware tools (e.g. ExtractNewRecordState) can read them
 * @param threads processing loops in this process, each a member of the processor's consumer group with its own
 *                transactional producers and its share of the source partitions
 * @param transactionMaxMs under a backlog, how long one transaction goes on taking in records before it commits;
 *                         longer means fewer change and changelog records per input record, and a longer wait for
 *                         the first result of each (light load commits every poll at once)
 */
public record ProcessorConfig(String bootstrapServers, String appId, Path stateDir, String sqlScript,
                              int topicPartitions, short replicationFactor, long progressIntervalMs,
                              Map<String, Object> kafkaOverrides, boolean changeSchemas, int threads,
                              long transactionMaxMs) {

    /** The default of {@link #transactionMaxMs()}. */
    public static final long DEFAULT_TRANSACTION_MAX_MS = 4_000;
    /**
     * The largest {@link #transactionMaxMs()}: well inside the processor's transaction timeout (30 s), after which
     * the broker would abort the transaction and fence the loop.
     */
    public static final long MAX_TRANSACTION_MAX_MS = 20_000;

    /** Settings with the default {@link #transactionMaxMs()}. */
    public ProcessorConfig(String bootstrapServers, String appId, Path stateDir, String sqlScript,
                           int topicPartitions, short replicationFactor, long progressIntervalMs,
                           Map<String, Object> kafkaOverrides, boolean changeSchemas, int threads) {
        this(bootstrapServers, appId, stateDir, sqlScript, topicPartitions, replicationFactor, progressIntervalMs,
                kafkaOverrides, changeSchemas, threads, DEFAULT_TRANSACTION_MAX_MS);
    }

    /** Settings with one processing loop. */
    public ProcessorConfig(String bootstrapServers, String appId, Path stateDir, String sqlScript,
                           int topicPartitions, short replicationFactor, long progressIntervalMs,
                           Map<String, Object> kafkaOverrides, boolean changeSchemas) {
        this(bootstrapServers, appId, stateDir, sqlScript, topicPartitions, replicationFactor, progressIntervalMs,
                kafkaOverrides, changeSchemas, 1, DEFAULT_TRANSACTION_MAX_MS);
    }

    /** Settings whose change topics carry no embedded schema. */
    public ProcessorConfig(String bootstrapServers, String appId, Path stateDir, String sqlScript,
                           int topicPartitions, short replicationFactor, long progressIntervalMs,
                           Map<String, Object> kafkaOverrides) {
        this(bootstrapServers, appId, stateDir, sqlScript, topicPartitions, replicationFactor, progressIntervalMs,
                kafkaOverrides, false, 1, DEFAULT_TRANSACTION_MAX_MS);
    }

    public ProcessorConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(sqlScript, "sqlScript");
        kafkaOverrides = Map.copyOf(kafkaOverrides);
        if (topicPartitions < 1) {
            throw new IllegalArgumentException("topicPartitions must be at least 1, got " + topicPartitions);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (transactionMaxMs < 1 || transactionMaxMs > MAX_TRANSACTION_MAX_MS) {
            throw new IllegalArgumentException("transactionMaxMs must be between 1 and " + MAX_TRANSACTION_MAX_MS
                    + ", got " + transactionMaxMs);
        }
        if (progressIntervalMs < 10) {
            throw new IllegalArgumentException("progressIntervalMs must be at least 10, got " + progressIntervalMs);
        }
    }
}
