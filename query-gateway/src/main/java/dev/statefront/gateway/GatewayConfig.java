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
 * @param grpcPort the gRPC port; 0 binds an ephemeral port ({@link GatewayServer#grpcPort()}); -1 serves no gRPC
 */
public record GatewayConfig(String bindHost, int restPort, String bootstrapServers, String appId,
                            Map<String, Object> producerOverrides, int maxBodyBytes, int grpcPort) {
    /** The default bind host. */
    public static final String DEFAULT_BIND_HOST = "0.0.0.0";
    /** The default REST port. */
    public static final int DEFAULT_REST_PORT = 8080;
    /** The default gRPC port. */
    public static final int DEFAULT_GRPC_PORT = 9090;
    /** The gRPC port value that serves no gRPC. */
    public static final int NO_GRPC = -1;
    /** The default largest request body. */
    public static final int DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

    public GatewayConfig {
        bindHost = bindHost == null || bindHost.isBlank() ? DEFAULT_BIND_HOST : bindHost;
        if (restPort < 0 || restPort > 65535) {
            throw new IllegalArgumentException("restPort must be between 0 and 65535, got " + restPort);
        }
        if (grpcPort < NO_GRPC || grpcPort > 65535) {
            throw new IllegalArgumentException("grpcPort must be between 0 and 65535, or -1 for none, got " + grpcPort);
        }
        appId = appId == null || appId.isBlank() ? "statefront" : appId;
        producerOverrides = producerOverrides == null ? Map.of() : Map.copyOf(producerOverrides);
        maxBodyBytes = maxBodyBytes <= 0 ? DEFAULT_MAX_BODY_BYTES : maxBodyBytes;
    }

    /** REST only (no gRPC server), as before gRPC existed. */
    public GatewayConfig(String bindHost, int restPort, String bootstrapServers, String appId,
                         Map<String, Object> producerOverrides, int maxBodyBytes) {
        this(bindHost, restPort, bootstrapServers, appId, producerOverrides, maxBodyBytes, NO_GRPC);
    }

    /** Defaults (all interfaces, REST 8080, gRPC 9090, 10 MB bodies) for a cluster and an application id. */
    public static GatewayConfig defaults(String bootstrapServers, String appId) {
        return new GatewayConfig(DEFAULT_BIND_HOST, DEFAULT_REST_PORT, bootstrapServers, appId, Map.of(),
                DEFAULT_MAX_BODY_BYTES, DEFAULT_GRPC_PORT);
    }

    /** This config with another REST port. */
    public GatewayConfig withRestPort(int port) {
        return new GatewayConfig(bindHost, port, bootstrapServers, appId, producerOverrides, maxBodyBytes, grpcPort);
    }

    /** This config with another gRPC port (-1: none). */
    public GatewayConfig withGrpcPort(int port) {
        return new GatewayConfig(bindHost, restPort, bootstrapServers, appId, producerOverrides, maxBodyBytes, port);
    }
}
