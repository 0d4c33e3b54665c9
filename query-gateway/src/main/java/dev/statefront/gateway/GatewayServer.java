package dev.statefront.gateway;

import dev.statefront.gateway.grpc.GrpcEndpoint;
import dev.statefront.gateway.query.EventIngest;
import dev.statefront.gateway.query.ViewQueries;
import dev.statefront.gateway.rest.RestApi;
import dev.statefront.gateway.routing.GrpcReplica;
import dev.statefront.gateway.routing.LocalStateReplica;
import dev.statefront.gateway.routing.PartitionRouter;
import dev.statefront.gateway.routing.StateReplica;
import dev.statefront.ingest.EventSink;
import dev.statefront.state.grpc.ReplicaServer;
import dev.statefront.state.server.StateServer;
import dev.statefront.state.server.StateServerConfig;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public endpoints: REST (Javalin) and gRPC ({@code statefront.v1}), both over one {@link ViewQueries} path
 * whose reads are routed to state-server replicas, and ingest into source topics.
 * Lifecycle {@code CREATED → RUNNING → STOPPED}; {@link #start()} binds the ports or fails naming the one in use.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

    /** Lifecycle of a gateway. */
    public enum State { CREATED, STARTING, RUNNING, STOPPING, STOPPED }

    /** Most request threads; each open change stream holds one. */
    static final int MAX_THREADS = 1024;

    /** In-process names of the replica services of gateways over a local state server, unique per JVM. */
    private static final AtomicInteger IN_PROCESS_IDS = new AtomicInteger();
    /** Deadline of an internal call that does not wait for a position. */
    private static final Duration REPLICA_CALL_TIMEOUT = Duration.ofSeconds(5);

    private final GatewayConfig config;
    private final PartitionRouter router;
    private final ViewQueries queries;
    private final EventSink events;
    private final AutoCloseable ownedSink;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
    private volatile Javalin app;
    private volatile GrpcEndpoint grpc;
    /** Change streams ({@code /v1/views/{view}/changes}); they need a state server in this process. */
    private volatile dev.statefront.gateway.changes.ChangeSource changeSource;
    private volatile dev.statefront.gateway.changes.ChangeStreamApi changeStreams;
    /** MCP at {@code /mcp}: tools and resources over the same query path. */
    private volatile dev.statefront.gateway.mcp.McpEndpoint mcp;

    /**
     * A gateway over the in-process state server; ingest produces to {@code config.bootstrapServers()}.
     *
     * @param config the settings
     * @param stateServer the local state server (it may still be starting; reads answer 503 until it runs);
     *     null when this process runs no state server: reads then answer 503 UNAVAILABLE
     */
    public GatewayServer(GatewayConfig config, StateServer stateServer) {
        this(config, stateServer, List.of());
    }

    /**
     * A gateway over the state server of this process (if any, reached in-process as above) and state servers in
     * other processes, reached over TCP at their {@code ReplicaService} addresses.
     *
     * @param config the settings
     * @param stateServer the local state server, or null
     * @param replicaTargets {@code host:port} of remote state servers' replica services; may be empty
     */
    public GatewayServer(GatewayConfig config, StateServer stateServer, List<String> replicaTargets) {
        this(config, stateServer, replicaTargets, false);
    }

    /**
     * As above, choosing how the local state server is reached.
     *
     * @param directLocalReads true: call the local state server's methods directly ({@link LocalStateReplica});
     *     false: through its internal gRPC {@code ReplicaService} over grpc-java's in-process transport, the
     *     same path as a remote replica (the default)
     */
    public GatewayServer(GatewayConfig config, StateServer stateServer, List<String> replicaTargets,
                         boolean directLocalReads) {
        this(config, replicas(stateServer, replicaTargets, directLocalReads),
                stateServer == null ? StateServerConfig.DEFAULT_MAX_WAIT : stateServer.config().maxWait());
        this.changeSource = stateServer == null ? null : dev.statefront.gateway.changes.ChangeSource.of(stateServer);
    }

    /** A router with the replicas it owns (closed with the gateway). */
    private record OwnedReplicas(PartitionRouter router, List<AutoCloseable> owned) {
    }

    private GatewayServer(GatewayConfig config, OwnedReplicas replicas, Duration defaultWait) {
        this(config, replicas.router(), defaultWait, null);
        owned.addAll(replicas.owned());
    }

    private static OwnedReplicas replicas(StateServer stateServer, List<String> replicaTargets,
                                          boolean directLocalReads) {
        List<StateReplica> replicas = new ArrayList<>();
        List<AutoCloseable> owned = new ArrayList<>();
        if (stateServer != null && directLocalReads) {
            replicas.add(new LocalStateReplica(stateServer));
        } else if (stateServer != null) {
            String name = "statefront-replica-" + stateServer.config().appId() + "-"
                    + IN_PROCESS_IDS.incrementAndGet();
            ReplicaServer server = ReplicaServer.inProcess(stateServer, name).start();
            GrpcReplica replica = GrpcReplica.inProcess(name, REPLICA_CALL_TIMEOUT);
            replicas.add(replica);
            owned.add(replica);
            owned.add(server);
        }
        for (String target : replicaTargets) {
            GrpcReplica replica = GrpcReplica.connect(target, REPLICA_CALL_TIMEOUT);
            replicas.add(replica);
            owned.add(replica);
        }
        return new OwnedReplicas(new PartitionRouter(replicas), owned);
    }

    /**
     * A gateway over any replicas and event sink.
     *
     * @param config the settings
     * @param router the replicas reads go to
     * @param defaultWait how long a read with {@code min_position} but without {@code wait_ms} waits
     * @param events where ingested events go; null produces to Kafka at {@code config.bootstrapServers()}
     */
    public GatewayServer(GatewayConfig config, PartitionRouter router, Duration defaultWait, EventSink events) {
        this.config = Objects.requireNonNull(config, "config");
        this.router = Objects.requireNonNull(router, "router");
        this.queries = new ViewQueries(router, Objects.requireNonNull(defaultWait, "defaultWait"));
        if (events == null) {
            KafkaEventSink sink = new KafkaEventSink(config);
            this.events = sink;
            this.ownedSink = sink;
        } else {
            this.events = events;
            this.ownedSink = null;
        }
    }

    /** The settings. */
    public GatewayConfig config() {
        return config;
    }

    /** The one query path both transports use. */
    public ViewQueries queries() {
        return queries;
    }

    /** The current lifecycle state. */
    public State state() {
        return state.get();
    }

    /**
     * Binds the REST port and starts serving; returns once bound.
     *
     * @throws IllegalStateException if started before
     * @throws GatewayStartException naming host and port if the port cannot be bound (e.g. in use)
     */
    public void start() {
        if (!state.compareAndSet(State.CREATED, State.STARTING)) {
            throw new IllegalStateException("gateway cannot start: it is " + state.get());
        }
        dev.statefront.gateway.mcp.McpEndpoint mcpEndpoint = new dev.statefront.gateway.mcp.McpEndpoint(queries,
                changeSource);
        RestApi restApi = new RestApi(queries, events, config.maxBodyBytes());
        Javalin javalin = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.http.maxRequestSize = config.maxBodyBytes();
            cfg.http.defaultContentType = "application/json";
            restApi.configure(cfg);
            // a change stream holds a request thread: room for hundreds of subscribers beside the reads
            cfg.jetty.threadPool = new org.eclipse.jetty.util.thread.QueuedThreadPool(MAX_THREADS, 8, 60_000);
            // the MCP SDK's Streamable HTTP servlet, beside Javalin's servlet in the same context (same port)
            cfg.jetty.modifyServletContextHandler(handler -> {
                org.eclipse.jetty.servlet.ServletHolder holder =
                        new org.eclipse.jetty.servlet.ServletHolder("mcp", mcpEndpoint.servlet());
                holder.setAsyncSupported(true);
                handler.addServlet(holder, dev.statefront.gateway.mcp.McpEndpoint.PATH);
            });
        });
        restApi.register(javalin);
        changeStreams = new dev.statefront.gateway.changes.ChangeStreamApi(changeSource, java.time.Clock.systemUTC());
        changeStreams.register(javalin);
        try {
            javalin.start(config.bindHost(), config.restPort());
        } catch (RuntimeException e) {
            try {
                javalin.stop();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            state.set(State.STOPPED);
            mcpEndpoint.close();
            closeSink();
            closeOwned();
            String why = isBind(e) ? "port " + config.restPort() + " is already in use (or not allowed) on "
                    + config.bindHost() + "; set another REST port" : e.toString();
            throw new GatewayStartException("cannot start the REST gateway on " + config.bindHost() + ":"
                    + config.restPort() + ": " + why, e);
        }
        app = javalin;
        mcp = mcpEndpoint;
        mcpEndpoint.start();
        if (config.grpcPort() != GatewayConfig.NO_GRPC) {
            GrpcEndpoint endpoint = new GrpcEndpoint(config.bindHost(), config.grpcPort(), queries,
                    new EventIngest(queries, events), changeSource);
            try {
                endpoint.start();
            } catch (IOException | RuntimeException e) {
                javalin.stop();
                app = null;
                mcpEndpoint.close();
                state.set(State.STOPPED);
                closeSink();
                closeOwned();
                String why = isBind(e) ? "port " + config.grpcPort() + " is already in use (or not allowed) on "
                        + config.bindHost() + "; set another gRPC port" : e.toString();
                throw new GatewayStartException("cannot start the gRPC gateway on " + config.bindHost() + ":"
                        + config.grpcPort() + ": " + why, e);
            }
            grpc = endpoint;
            LOG.info("gRPC gateway of app '{}' listening on {}:{}", config.appId(), config.bindHost(),
                    endpoint.port());
        }
        state.set(State.RUNNING);
        LOG.info("REST gateway of app '{}' listening on {}:{} (replicas {})", config.appId(), config.bindHost(),
                javalin.port(), router.status());
    }

    /**
     * The bound gRPC port (the actual one when configured as 0).
     *
     * @throws IllegalStateException if not running or serving no gRPC
     */
    public int grpcPort() {
        GrpcEndpoint g = grpc;
        if (g == null || state.get() != State.RUNNING) {
            throw new IllegalStateException("gateway has no gRPC port: it is " + state.get()
                    + (config.grpcPort() == GatewayConfig.NO_GRPC ? " and serves no gRPC" : ""));
        }
        return g.port();
    }

    /**
     * The bound REST port (the actual one when configured as 0).
     *
     * @throws IllegalStateException if not running
     */
    public int port() {
        Javalin a = app;
        if (a == null || state.get() != State.RUNNING) {
            throw new IllegalStateException("gateway has no port: it is " + state.get());
        }
        return a.port();
    }

    /** Stops accepting requests, lets running ones finish (bounded by Jetty's stop timeout), closes ingest. */
    @Override
    public void close() {
        State s = state.get();
        if (s == State.STOPPED || s == State.STOPPING || !state.compareAndSet(s, State.STOPPING)) {
            return;
        }
        GrpcEndpoint g = grpc;
        if (g != null) {
            g.close();
        }
        Javalin a = app;
        if (changeStreams != null) {
            changeStreams.close(); // streams end with an error event instead of holding the stop up
        }
        if (mcp != null) {
            mcp.close();
        }
        if (a != null) {
            a.stop();
        }
        closeSink();
        closeOwned();
        state.set(State.STOPPED);
        LOG.info("gateway of app '{}' stopped", config.appId());
    }

    private void closeOwned() {
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", c, e.toString());
            }
        }
        owned.clear();
    }

    private void closeSink() {
        if (ownedSink != null) {
            try {
                ownedSink.close();
            } catch (Exception e) {
                LOG.warn("closing the ingest producer failed: {}", e.toString());
            }
        }
    }

    private static boolean isBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException || t.getClass().getSimpleName().contains("BindException")) {
                return true;
            }
        }
        return false;
    }
}
