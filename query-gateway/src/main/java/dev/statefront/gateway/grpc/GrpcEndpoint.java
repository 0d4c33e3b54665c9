package dev.statefront.gateway.grpc;

import dev.statefront.gateway.query.EventIngest;
import dev.statefront.gateway.query.ViewQueries;
import dev.statefront.proto.v1.IngestServiceGrpc;
import dev.statefront.proto.v1.QueryServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's gRPC server: {@code statefront.v1.QueryService} and {@code IngestService}, standard health checking
 * ({@code grpc.health.v1}: SERVING while some state replica serves reads) and server reflection (v1 and v1alpha),
 * so generic tools such as grpcurl work without the .proto files. When every replica is in this process, a point
 * lookup (QueryService/Get) is answered on the Netty thread that read it: the read runs on that thread without
 * network I/O, and a hand-off to another thread per call cost more than the read. A Get with a
 * {@code min_position}, which may wait, and every other call run on a pool of call threads.
 */
public final class GrpcEndpoint implements AutoCloseable {
    private static final long SHUTDOWN_GRACE_MS = 5_000;
    private static final String GET = QueryServiceGrpc.getGetMethod().getFullMethodName();

    private final Server server;
    private final HealthStatusManager health = new HealthStatusManager();
    private final ViewQueries queries;
    private final ScheduledExecutorService healthUpdater;
    /** Threads of the calls that are not answered on a transport thread. */
    private final ExecutorService calls;

    /**
     * A server (not yet bound) on {@code host:port}; port 0 binds an ephemeral one.
     */
    public GrpcEndpoint(String host, int port, ViewQueries queries, EventIngest ingest) {
        this(host, port, queries, ingest, null);
    }

    /**
     * A server (not yet bound) on {@code host:port} whose Subscribe streams from {@code changes} (null: this
     * process has no state server, Subscribe answers UNAVAILABLE); port 0 binds an ephemeral one.
     */
    public GrpcEndpoint(String host, int port, ViewQueries queries, EventIngest ingest,
                        dev.statefront.gateway.changes.ChangeSource changes) {
        this.queries = Objects.requireNonNull(queries, "queries");
        AtomicInteger callThreads = new AtomicInteger();
        this.calls = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "statefront-grpc-call-" + callThreads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port)).executor(calls);
        if (queries.router().inProcess()) {
            builder.callExecutor(GrpcEndpoint::executorOf);
        }
        this.server = builder
                .addService(new QueryGrpcService(queries, changes, calls))
                .addService(new IngestGrpcService(queries, ingest))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(reflectionV1Alpha())
                .build();
        this.healthUpdater = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "statefront-grpc-health");
            t.setDaemon(true);
            return t;
        });
    }

    /** The transport thread itself for a Get, the server's call threads (null) for every other method. */
    private static <ReqT, RespT> Executor executorOf(ServerCall<ReqT, RespT> call, Metadata headers) {
        return GET.equals(call.getMethodDescriptor().getFullMethodName()) ? Runnable::run : null;
    }

    @SuppressWarnings("deprecation")
    private static io.grpc.BindableService reflectionV1Alpha() {
        return ProtoReflectionService.newInstance(); // for tools that only speak v1alpha
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException when the port cannot be bound
     */
    public void start() throws IOException {
        server.start();
        updateHealth();
        healthUpdater.scheduleWithFixedDelay(this::updateHealth, 500, 500, TimeUnit.MILLISECONDS);
    }

    private void updateHealth() {
        ServingStatus s = queries.serving() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, s);
        health.setStatus(QueryServiceGrpc.SERVICE_NAME, s);
        health.setStatus(IngestServiceGrpc.SERVICE_NAME, s);
    }

    /** The bound port. */
    public int port() {
        return server.getPort();
    }

    /** Stops accepting calls, lets running ones finish for a bounded time, then cancels them. */
    @Override
    public void close() {
        healthUpdater.shutdownNow();
        health.enterTerminalState();
        server.shutdown();
        try {
            if (!server.awaitTermination(SHUTDOWN_GRACE_MS, TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
                server.awaitTermination(SHUTDOWN_GRACE_MS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        calls.shutdownNow();
    }
}
