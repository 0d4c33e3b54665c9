package dev.statefront.state.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of a {@link StateServer}. Immutable.
 *
 * @param bootstrapServers Kafka bootstrap servers; may be null only for {@link StateServer#startEmbedded()}
 * @param appId the application id the topic names derive from (null means {@code statefront})
 * @param stateDir the directory of the RocksDB store, created if missing
 * @param consumerOverrides extra Kafka consumer settings, applied last (null means none)
 * @param maxWait the longest a read may wait for {@code min_position} (null means 5 s)
 */
public record StateServerConfig(String bootstrapServers, String appId, Path stateDir,
                                Map<String, Object> consumerOverrides, Duration maxWait) {

    /** The default cap on how long a read waits for its minimum position. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(5);

    public StateServerConfig {
        Objects.requireNonNull(stateDir, "stateDir");
        appId = appId == null || appId.isBlank() ? "statefront" : appId;
        consumerOverrides = consumerOverrides == null ? Map.of() : Map.copyOf(consumerOverrides);
        maxWait = maxWait == null ? DEFAULT_MAX_WAIT : maxWait;
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative, got " + maxWait);
        }
    }

    /** A config with no consumer overrides and the default maximum wait. */
    public StateServerConfig(String bootstrapServers, String appId, Path stateDir) {
        this(bootstrapServers, appId, stateDir, Map.of(), DEFAULT_MAX_WAIT);
    }
}
