package dev.statefront.state.server;

/**
 * Feeds a state server started with {@link StateServer#startEmbedded()}: the same apply path the Kafka consumer
 * loop uses, for embedding and tests.
 */
public interface StateFeed {
    /**
     * Applies a batch atomically: records of the catalog topic, the progress topic and view change topics
     * (routed by topic name), then the read positions, then every pending progress marker they reach.
     *
     * @throws IllegalStateException if the server is not running
     */
    void apply(FeedBatch batch);
}
