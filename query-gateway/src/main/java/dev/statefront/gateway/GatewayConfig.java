package dev.statefront.gateway;

import java.util.Map;

/**
 * Settings of a {@link GatewayServer}. Immutable.
 *
 * @param bindHost the interface to bind (null means {@code 0.0.0.0})
 * @param restPort the REST port; 0 binds an ephemeral port ({@link GatewayServer#port()} tells which)
 * @param bootstrapServers Kafka bootstrap servers for ingest; null disables ingest (it answers 503)
 * @param appId the application id (null means {@code statefront})
 * @param producerOverrides extra Kafka producer settings for ingest (null means none)
 * @param maxBodyBytes the largest request body accepted; larger ones get 413 (0 or less means 10 MB)
 */
public record GatewayConfig(String bindHost, int restPort, String bootstrapServers, String appId,
                            Map<String, Object> producerOverrides, int maxBodyBytes) {
    /** The default bind host. */
    public static final String DEFAULT_BIND_HOST = "0.0.0.0";
    /** The default REST port. */
    public static final int DEFAULT_REST_PORT = 8080;
    /** The default largest request body. */
    public static final int DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

    public GatewayConfig {
        bindHost = bindHost == null || bindHost.isBlank() ? DEFAULT_BIND_HOST : bindHost;
        if (restPort < 0 || restPort > 65535) {
            throw new IllegalArgumentException("restPort must be between 0 and 65535, got " + restPort);
        }
        appId = appId == null || appId.isBlank() ? "statefront" : appId;
        producerOverrides = producerOverrides == null ? Map.of() : Map.copyOf(producerOverrides);
        maxBodyBytes = maxBodyBytes <= 0 ? DEFAULT_MAX_BODY_BYTES : maxBodyBytes;
    }

    /** Defaults (all interfaces, port 8080, 10 MB bodies) for a cluster and an application id. */
    public static GatewayConfig defaults(String bootstrapServers, String appId) {
        return new GatewayConfig(DEFAULT_BIND_HOST, DEFAULT_REST_PORT, bootstrapServers, appId, Map.of(),
                DEFAULT_MAX_BODY_BYTES);
    }

    /** This config with another REST port. */
    public GatewayConfig withRestPort(int port) {
        return new GatewayConfig(bindHost, port, bootstrapServers, appId, producerOverrides, maxBodyBytes);
    }
}
