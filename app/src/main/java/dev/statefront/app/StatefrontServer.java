package dev.statefront.app;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.statefront.app.config.Role;
import dev.statefront.app.config.StatefrontConfig;
import dev.statefront.app.demo.DemoTopics;
import dev.statefront.app.demo.DemoWorkload;
import dev.statefront.app.kafka.EmbeddedKafka;
import dev.statefront.app.kafka.EmbeddedKafkaException;
import dev.statefront.core.CommittedPartition;
import dev.statefront.gateway.GatewayConfig;
import dev.statefront.ingest.cdc.CdcConfig;
import dev.statefront.ingest.cdc.CdcServer;
import dev.statefront.gateway.GatewayServer;
import dev.statefront.processor.CommitListener;
import dev.statefront.processor.ProcessorConfig;
import dev.statefront.processor.ProcessorServer;
import dev.statefront.processor.plan.Program;
import dev.statefront.processor.sql.SqlPlanner;
import dev.statefront.state.grpc.ReplicaServer;
import dev.statefront.state.server.StateServer;
import dev.statefront.state.store.StateStore;
import dev.statefront.state.sink.PostgresSink;
import dev.statefront.state.server.StateServerConfig;

/**
 * Everything one {@code statefront run} process runs, started in dependency order and stopped in
 * reverse: the embedded broker (when no Kafka is configured), the demo topics (with
 * {@code --demo}), the state server, the processor, the gateway, and the demo workload.
 *
 * <p>Lifecycle: {@code CREATED → STARTING → RUNNING → STOPPING → STOPPED}. A failed start stops
 * whatever had started and throws. {@link #close()} is bounded per component and idempotent.
 */
public final class StatefrontServer implements AutoCloseable {

    /** Bound on stopping each component; a component that takes longer is abandoned. */
    public static final Duration COMPONENT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(StatefrontServer.class);

    /** Lifecycle states; transitions are compare-and-set. */
    public enum State { CREATED, STARTING, RUNNING, STOPPING, STOPPED }

    private final StatefrontConfig config;
    private final String sqlScript;
    private final boolean demo;
    private final Clock clock;
    private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
    /** Started components, most recent first: the order to close them in. */
    private final Deque<Component> started = new ArrayDeque<>();

    private volatile String bootstrapServers;
    /** The SQL, planned once at start for the roles that run it. */
    private volatile Program program;
    private volatile EmbeddedKafka embeddedKafka;
    private volatile GatewayServer gateway;
    private volatile ReplicaServer replicaServer;

    /**
     * @param config validated settings; never {@code null}
     * @param sqlScript the SQL of the views, or {@code null} when this process runs no processor
     * @param demo whether to set up the demo topics and run the demo workload
     * @param clock time source of the demo workload; never {@code null}
     */
    public StatefrontServer(StatefrontConfig config, String sqlScript, boolean demo, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.sqlScript = sqlScript;
        this.demo = demo;
        this.clock = Objects.requireNonNull(clock, "clock");
        if ((config.roles().contains(Role.PROCESSOR) || config.roles().contains(Role.INGEST)) && sqlScript == null) {
            throw new IllegalArgumentException("the processor role needs a SQL script");
        }
    }

    private void requireSqlForSinks() {
        if (config.roles().contains(Role.SINK) && sqlScript == null) {
            throw new IllegalArgumentException("the sink role needs a SQL script: its CREATE SINK statements");
        }
    }

    /**
     * Starts every configured component in order.
     *
     * @throws StartupException naming the component that failed; everything started before it is stopped
     * @throws IllegalStateException if called twice
     */
    public void start() {
        if (!state.compareAndSet(State.CREATED, State.STARTING)) {
            throw new IllegalStateException("Statefront is " + state.get() + "; start() is allowed once");
        }
        Set<Role> roles = config.roles();
        requireSqlForSinks();
        CompletableFuture<Void> gatewayStarted = CompletableFuture.completedFuture(null);
        // Two slow first steps run on threads of their own while the broker and the state server start: RocksDB's
        // native library is copied out of its jar and loaded (about 0.15 s), and the first plan in a process loads
        // the SQL planner (about half a second). Whatever needs either waits for it, and fails if it failed.
        CompletableFuture<Void> rocksDbLoaded = roles.contains(Role.STATE_SERVER) || roles.contains(Role.PROCESSOR)
                ? CompletableFuture.runAsync(StateStore::loadNativeLibrary,
                        task -> onThread("statefront-load-rocksdb", task))
                : CompletableFuture.completedFuture(null);
        CompletableFuture<Program> planning = roles.contains(Role.PROCESSOR) || roles.contains(Role.INGEST)
                ? CompletableFuture.supplyAsync(() -> SqlPlanner.plan(sqlScript),
                        task -> onThread("statefront-plan", task))
                : null;
        try {
            if (config.embeddedKafka()) {
                if (!demo) {
                    // bad SQL is the most common start-up mistake: say so before starting a broker (the demo's SQL
                    // is ours, so it is planned while the broker starts)
                    awaitPlan(planning);
                }
                step("embedded Kafka", () -> {
                    EmbeddedKafka kafka = new EmbeddedKafka(config.embeddedKafkaDir(), config.embeddedKafkaPort(),
                            config.embeddedKafkaControllerPort());
                    register("embedded Kafka", kafka);
                    startEmbeddedKafka(kafka);
                    embeddedKafka = kafka;
                    bootstrapServers = kafka.bootstrapServers();
                });
            } else {
                bootstrapServers = config.bootstrapServers();
            }
            if (demo) {
                step("demo topics", () -> DemoTopics.ensure(bootstrapServers, config.adminOverrides(),
                        config.producerOverrides(), config.topicPartitions(), config.topicReplicationFactor()));
            }
            StateServer stateServer = null;
            if (roles.contains(Role.STATE_SERVER)) {
                StateServer s = new StateServer(new StateServerConfig(bootstrapServers, config.appId(),
                        config.stateDir().resolve("replica"), config.consumerOverrides(),
                        Duration.ofMillis(config.stateServerMaxWaitMs())));
                step("state server", () -> {
                    awaitStep(rocksDbLoaded);
                    register("state server", s::close);
                    s.start();
                });
                stateServer = s;
                if (config.servesReplicaService()) {
                    ReplicaServer rs = ReplicaServer.network(s, config.restHost(), config.stateServerGrpcPort());
                    step("state server replica service [" + StatefrontConfig.STATE_SERVER_GRPC_PORT + "="
                            + config.stateServerGrpcPort() + "]", () -> {
                        rs.start();
                        register("state server replica service", rs::close);
                    });
                    replicaServer = rs;
                }
            }
            // the gateway starts after the plan: both load many classes on two cores, and the processor, which
            // needs the plan, is what a backlog waits for
            awaitPlan(planning);
            // the API comes up (answering "not ready", or with what the state server holds) on its own thread
            // while the processor prepares its topics and joins its group, which mostly wait for the broker
            if (roles.contains(Role.GATEWAY)) {
                GatewayServer g = new GatewayServer(new GatewayConfig(config.restHost(), config.restPort(),
                        bootstrapServers, config.appId(), config.producerOverrides(), config.gatewayMaxBodyBytes(),
                        config.grpcPort()), stateServer, config.gatewayReplicas(), config.gatewayDirectLocalReads());
                gatewayStarted = CompletableFuture.runAsync(() -> step("gateway [" + StatefrontConfig.REST_HOST + "="
                        + config.restHost() + ", " + StatefrontConfig.REST_PORT + "=" + config.restPort() + ", "
                        + StatefrontConfig.GRPC_PORT + "=" + config.grpcPort() + "]", () -> {
                            register("gateway", g::close);
                            g.start();
                        }), task -> onThread("statefront-start-gateway", task));
                gateway = g;
            }
            if (roles.contains(Role.INGEST)) {
                // before the processor: the capture creates its tables' topics (compacted, keyed by primary key)
                CdcServer cdc = new CdcServer(new CdcConfig(bootstrapServers, config.appId(), config.topicPartitions(),
                        config.topicReplicationFactor(), config.kafkaOverrides()),
                        CdcTables.of(program));
                step("ingest (PostgreSQL change data capture)", () -> {
                    register("ingest", cdc::close);
                    cdc.start();
                });
            }
            if (roles.contains(Role.PROCESSOR)) {
                ProcessorServer p = new ProcessorServer(new ProcessorConfig(bootstrapServers, config.appId(),
                        config.stateDir().resolve("processor"), sqlScript, config.topicPartitions(),
                        config.topicReplicationFactor(), config.processorProgressIntervalMs(),
                        config.kafkaOverrides(), config.viewChangesSchemas(), config.processorThreads(),
                        config.processorTransactionMaxMs()), program);
                if (stateServer != null && config.processorLocalHandoff()) {
                    // same process: committed changes reach the state server without the change topics' round trip
                    p.onCommitted(handOffTo(stateServer));
                }
                step("processor", () -> {
                    awaitStep(rocksDbLoaded);
                    register("processor", p::close);
                    p.start();
                });
            }
            awaitStep(gatewayStarted);
            if (roles.contains(Role.SINK)) {
                for (PostgresSink sink : PostgresSinks.of(program != null ? program
                        : SqlPlanner.plan(sqlScript),
                        bootstrapServers, config.appId(), config.consumerOverrides())) {
                    step("sink '" + sink.config().name() + "'", () -> {
                        register("sink " + sink.config().name(), sink::close);
                        sink.start();
                    });
                }
            }
            if (demo) {
                DemoWorkload workload = new DemoWorkload(bootstrapServers, config.producerOverrides(),
                        config.demoOrdersPerSecond(), clock);
                step("demo workload", () -> {
                    register("demo workload", workload::close);
                    workload.start();
                });
            }
        } catch (RuntimeException e) {
            log.error("Start-up failed ({}); stopping what had started", e.getMessage());
            gatewayStarted.exceptionally(ignored -> null).join(); // so a gateway still starting is stopped too
            stopAll();
            state.set(State.STOPPED);
            throw e;
        }
        if (!state.compareAndSet(State.STARTING, State.RUNNING)) {
            throw new StartupException("shutdown was requested during start-up", null);
        }
    }

    /** Records a component to stop later; refuses (and stops it) if shutdown already began. */
    private void register(String name, AutoCloseable closeable) {
        synchronized (started) {
            if (state.get() == State.STARTING) {
                started.push(new Component(name, closeable));
                return;
            }
        }
        closeBounded(new Component(name, closeable));
        throw new StartupException("shutdown was requested during start-up", null);
    }

    private void startEmbeddedKafka(EmbeddedKafka kafka) {
        try {
            kafka.start();
        } catch (EmbeddedKafkaException e) {
            throw new StartupException(e.getMessage() + " [settings: " + StatefrontConfig.EMBEDDED_KAFKA_PORT + "="
                    + config.embeddedKafkaPort() + ", " + StatefrontConfig.EMBEDDED_KAFKA_CONTROLLER_PORT + "="
                    + config.embeddedKafkaControllerPort() + ", " + StatefrontConfig.DATA_DIR + "="
                    + config.dataDir() + "; or set " + StatefrontConfig.KAFKA_BOOTSTRAP_SERVERS
                    + " to use a running Kafka]", e);
        }
    }

    /** Waits for the SQL planned on its own thread (if any): a bad script fails start-up like a failed step. */
    private void awaitPlan(CompletableFuture<Program> planning) {
        if (planning != null && program == null) {
            step("processor", () -> program = awaitStep(planning));
        }
    }

    private static void onThread(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
    }

    /** Waits for a step started on its own thread; its failure is this start-up's failure. */
    private static <T> T awaitStep(CompletableFuture<T> step) {
        try {
            return step.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static void step(String what, Runnable action) {
        long t0 = System.nanoTime();
        try {
            action.run();
        } catch (StartupException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new StartupException("cannot start " + what + ": " + e.getMessage(), e);
        }
        log.debug("Started {} in {} ms", what, (System.nanoTime() - t0) / 1_000_000);
    }

    /** The Kafka cluster in use (the embedded broker's address when embedded); set once started. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Whether this process runs the embedded broker. */
    public boolean embedded() {
        return embeddedKafka != null;
    }

    /** The gRPC port the gateway listens on, if this process runs the gateway and it started. */
    public Optional<Integer> grpcPort() {
        GatewayServer g = gateway;
        return g == null ? Optional.empty() : Optional.of(g.grpcPort());
    }

    /** The port of the state server's ReplicaService, if this process serves it over TCP. */
    public Optional<Integer> replicaPort() {
        ReplicaServer r = replicaServer;
        return r == null ? Optional.empty() : Optional.of(r.port());
    }

    /** The REST port the gateway listens on, if this process runs the gateway and it started. */
    public Optional<Integer> restPort() {
        GatewayServer g = gateway;
        return g == null ? Optional.empty() : Optional.of(g.port());
    }

    public State state() {
        return state.get();
    }

    /**
     * Stops the demo workload, gateway, processor, state server and broker, in that order, each
     * bounded by {@link #COMPONENT_CLOSE_TIMEOUT}. Idempotent; safe from a shutdown hook.
     */
    @Override
    public void close() {
        State s = state.get();
        if (s == State.STOPPING || s == State.STOPPED) {
            return;
        }
        if (!state.compareAndSet(s, State.STOPPING)) {
            return;
        }
        log.info("Stopping Statefront");
        stopAll();
        state.set(State.STOPPED);
        log.info("Statefront stopped");
    }

    private void stopAll() {
        synchronized (started) {
            while (!started.isEmpty()) {
                closeBounded(started.pop());
            }
        }
    }

    private static void closeBounded(Component component) {
        Thread closer = new Thread(() -> {
            try {
                component.closeable().close();
            } catch (Exception e) {
                log.warn("{} did not stop cleanly: {}", component.name(), e.toString());
            }
        }, "close-" + component.name().replace(' ', '-'));
        closer.setDaemon(true);
        long t0 = System.nanoTime();
        closer.start();
        try {
            closer.join(COMPONENT_CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            log.warn("{} did not stop within {} s; continuing shutdown without it", component.name(),
                    COMPONENT_CLOSE_TIMEOUT.toSeconds());
        } else {
            log.debug("Stopped {} in {} ms", component.name(), (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private record Component(String name, AutoCloseable closeable) {
    }

    /** A component could not start; the message names it and what to change. */
    public static final class StartupException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public StartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The commit listener that hands a processor's commits, and the view partitions it stops writing, to the state
     * server of the same process.
     */
    public static CommitListener handOffTo(StateServer server) {
        return new CommitListener() {
            @Override
            public void committed(List<CommittedPartition> partitions) {
                server.handOff(partitions);
            }

            @Override
            public void released(String changeTopic, int partition) {
                server.handBack(changeTopic, partition);
            }
        };
    }
}
