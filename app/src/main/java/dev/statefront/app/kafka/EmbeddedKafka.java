package dev.statefront.app.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A real single-node Kafka (KRaft broker and controller in one) running inside this process.
 *
 * <p>Listeners bind to 127.0.0.1 only. Storage lives in one directory, formatted with Kafka's own
 * {@link Formatter} the first time (when {@code meta.properties} is absent) and reused afterwards,
 * so topics and records survive a restart on the same directory. Internal topics are set up
 * for one node (replication factor 1, min ISR 1) so that transactions and consumer groups work.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = new EmbeddedKafka(dataDir.resolve("kafka"), 0, 0)) {
 *     kafka.start();
 *     String bootstrap = kafka.bootstrapServers(); // "127.0.0.1:41234"
 * }
 * }</pre>
 *
 * <p>Lifecycle: {@code CREATED → STARTING → RUNNING → STOPPING → STOPPED}; {@link #start()} once,
 * {@link #close()} any number of times.
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** Default bound on {@link #start()}: formatting, startup and the first admin round trip. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
    /** Default bound on {@link #close()}. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    private static final String HOST = "127.0.0.1";
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    /** Lifecycle states; transitions are compare-and-set. */
    public enum State { CREATED, STARTING, RUNNING, STOPPING, STOPPED }

    private final Path dir;
    private final int requestedPort;
    private final int requestedControllerPort;
    private final Map<String, String> brokerOverrides;
    private final Duration startTimeout;
    private final Duration closeTimeout;
    private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);

    private volatile KafkaRaftServer server;
    private volatile int port;
    private volatile int controllerPort;

    /**
     * A broker with default timeouts and no extra broker settings.
     *
     * @param dir storage directory, created if absent; never {@code null}
     * @param port client listener port on 127.0.0.1; 0 picks a free port
     * @param controllerPort KRaft controller listener port on 127.0.0.1; 0 picks a free port
     */
    public EmbeddedKafka(Path dir, int port, int controllerPort) {
        this(dir, port, controllerPort, Map.of(), DEFAULT_START_TIMEOUT, DEFAULT_CLOSE_TIMEOUT);
    }

    /**
     * @param dir storage directory, created if absent; never {@code null}
     * @param port client listener port on 127.0.0.1; 0 picks a free port
     * @param controllerPort KRaft controller listener port on 127.0.0.1; 0 picks a free port
     * @param brokerOverrides broker settings applied last (e.g. {@code log.retention.hours}); never {@code null}
     * @param startTimeout bound on {@link #start()}
     * @param closeTimeout bound on {@link #close()}
     */
    public EmbeddedKafka(Path dir, int port, int controllerPort, Map<String, String> brokerOverrides,
                         Duration startTimeout, Duration closeTimeout) {
        this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
        this.requestedPort = checkPort(port, "port");
        this.requestedControllerPort = checkPort(controllerPort, "controllerPort");
        this.brokerOverrides = Map.copyOf(brokerOverrides);
        this.startTimeout = Objects.requireNonNull(startTimeout, "startTimeout");
        this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
    }

    private static int checkPort(int port, String name) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + " must be in [0, 65535], got " + port);
        }
        return port;
    }

    /**
     * Formats the storage if needed, starts the broker and waits until an admin client sees it.
     *
     * @throws EmbeddedKafkaException if a port is in use, the directory is locked by another
     *         broker, formatting fails, or the broker is not reachable within the start timeout
     * @throws IllegalStateException if called more than once
     */
    public void start() {
        if (!state.compareAndSet(State.CREATED, State.STARTING)) {
            throw new IllegalStateException("embedded Kafka at " + dir + " is " + state.get()
                    + "; start() is allowed once, on a new instance");
        }
        long deadline = System.nanoTime() + startTimeout.toNanos();
        try {
            port = requestedPort != 0 ? ensureFree(requestedPort, "client") : freePort();
            controllerPort = requestedControllerPort != 0
                    ? ensureFree(requestedControllerPort, "controller") : freePort(port);
            Files.createDirectories(dir);
            ensureNotLocked();
            KafkaConfig config = new KafkaConfig(brokerConfig(), false);
            if (!Files.exists(dir.resolve(MetaPropertiesEnsemble.META_PROPERTIES_NAME))) {
                format();
            }
            startServer(config, deadline);
            awaitReachable(deadline);
            state.set(State.RUNNING);
            log.info("Embedded Kafka running at {} (controller port {}, data in {})",
                    bootstrapServers(), controllerPort, dir);
        } catch (RuntimeException | IOException e) {
            shutdownQuietly();
            state.set(State.STOPPED);
            if (e instanceof EmbeddedKafkaException ek) {
                throw ek;
            }
            throw new EmbeddedKafkaException("cannot start embedded Kafka at " + dir + ": " + e.getMessage(), e);
        }
    }

    /** {@code 127.0.0.1:port} of the client listener; valid once {@link #start()} returned. */
    public String bootstrapServers() {
        requireStarted();
        return HOST + ":" + port;
    }

    /** The client listener port; valid once {@link #start()} returned. */
    public int port() {
        requireStarted();
        return port;
    }

    /** The controller listener port; valid once {@link #start()} returned. */
    public int controllerPort() {
        requireStarted();
        return controllerPort;
    }

    /** The storage directory (absolute). */
    public Path dir() {
        return dir;
    }

    public State state() {
        return state.get();
    }

    private void requireStarted() {
        if (state.get() != State.RUNNING) {
            throw new IllegalStateException("embedded Kafka at " + dir + " is " + state.get() + ", not RUNNING");
        }
    }

    /**
     * Shuts the broker down gracefully, waiting at most the close timeout. Idempotent.
     */
    @Override
    public void close() {
        State s = state.get();
        if (s == State.STOPPED || s == State.STOPPING || s == State.CREATED) {
            state.compareAndSet(State.CREATED, State.STOPPED);
            return;
        }
        if (!state.compareAndSet(s, State.STOPPING)) {
            return; // a concurrent close won
        }
        shutdownQuietly();
        state.set(State.STOPPED);
        log.info("Embedded Kafka at {} stopped", dir);
    }

    // ---- internals ---------------------------------------------------------------------------

    private Map<String, String> brokerConfig() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        // Static quorum (kraft.version 0): the voter's address is not written into the log, so the
        // controller may move to another free port at each start.
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + port + "," + CONTROLLER_LISTENER + "://" + HOST
                + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + port);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("log.dirs", dir.toString());
        p.put("metadata.log.dir", dir.toString());
        // one node: every internal topic has one replica
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        // in-process: keep threads and memory modest (the cleaner's buffer defaults to 128 MiB)
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(32 * 1024 * 1024));
        p.putAll(brokerOverrides);
        return p;
    }

    private void format() {
        String clusterId = Uuid.randomUuid().toString();
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(dir.toString())
                    .addDirectory(dir.toString())
                    .run();
        } catch (Exception e) {
            throw new EmbeddedKafkaException("cannot format Kafka storage at " + dir + ": " + e.getMessage(), e);
        }
        log.info("Formatted new Kafka storage at {} (cluster id {})", dir, clusterId);
    }

    private void startServer(KafkaConfig config, long deadline) {
        KafkaRaftServer created;
        try {
            created = new KafkaRaftServer(config, Time.SYSTEM);
        } catch (RuntimeException e) {
            throw new EmbeddedKafkaException(describeStartFailure(e), e);
        }
        server = created;
        // KafkaRaftServer.startup() blocks until the broker is unfenced; bound it.
        CompletableFuture<Void> startup = CompletableFuture.runAsync(created::startup, runnable -> {
            Thread t = new Thread(runnable, "embedded-kafka-startup");
            t.setDaemon(true);
            t.start();
        });
        try {
            startup.get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new EmbeddedKafkaException("embedded Kafka at " + dir + " did not start within "
                    + startTimeout.toSeconds() + "s (client port " + port + ", controller port " + controllerPort + ")");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new EmbeddedKafkaException(describeStartFailure(cause), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedKafkaException("interrupted while starting embedded Kafka at " + dir, e);
        }
    }

    private String describeStartFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return "embedded Kafka cannot listen on " + HOST + ":" + port + " or " + HOST + ":" + controllerPort
                        + " (" + t.getMessage() + ")";
            }
            String msg = String.valueOf(t.getMessage());
            if (msg.contains(".lock")) {
                return "embedded Kafka data directory " + dir + " is in use by another broker (" + msg
                        + "); stop the other Statefront or use another data.dir";
            }
        }
        return "embedded Kafka at " + dir + " failed to start: " + e;
    }

    private void awaitReachable(long deadline) {
        Map<String, Object> props = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + port,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        Exception last = null;
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadline) {
                try {
                    Collection<Node> nodes = admin.describeCluster().nodes()
                            .get(Math.min(5_000, remainingMillis(deadline)), TimeUnit.MILLISECONDS);
                    if (!nodes.isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedKafkaException("interrupted while waiting for embedded Kafka at " + HOST + ":" + port, e);
        }
        throw new EmbeddedKafkaException("embedded Kafka started but an admin client could not reach it at "
                + HOST + ":" + port + " within " + startTimeout.toSeconds() + "s"
                + (last == null ? "" : " (last error: " + last.getMessage() + ")"), last);
    }

    private static long remainingMillis(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    private void shutdownQuietly() {
        KafkaRaftServer s = server;
        server = null;
        if (s == null) {
            return;
        }
        Thread stopper = new Thread(() -> {
            try {
                s.shutdown();
                s.awaitShutdown();
            } catch (RuntimeException e) {
                log.warn("Embedded Kafka at {} did not shut down cleanly", dir, e);
            }
        }, "embedded-kafka-shutdown");
        stopper.setDaemon(true);
        stopper.start();
        try {
            stopper.join(closeTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stopper.isAlive()) {
            log.warn("Embedded Kafka at {} did not stop within {}s; abandoning its threads", dir,
                    closeTimeout.toSeconds());
        }
    }

    /**
     * Fails clearly, before Kafka logs a fatal start-up error, when another broker (in this or
     * another process) holds the directory's lock file.
     */
    private void ensureNotLocked() throws IOException {
        Path lockFile = dir.resolve(".lock");
        if (!Files.exists(lockFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw dirInUse();
            }
            lock.release();
        } catch (OverlappingFileLockException e) {
            throw dirInUse();
        }
    }

    private EmbeddedKafkaException dirInUse() {
        return new EmbeddedKafkaException("embedded Kafka data directory " + dir + " is in use by another broker;"
                + " stop the other Statefront or use another data.dir");
    }

    private int ensureFree(int candidate, String listener) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), candidate));
            return candidate;
        } catch (IOException e) {
            throw new EmbeddedKafkaException("embedded Kafka cannot listen on " + HOST + ":" + candidate + " ("
                    + listener + " listener): port already in use (" + e.getMessage() + ")."
                    + " Is another Kafka or Statefront running? Choose another port, or use 0 for a free one.", e);
        }
    }

    private static int freePort(int... avoid) {
        for (int attempt = 0; attempt < 10; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getByName(HOST))) {
                socket.setReuseAddress(true);
                int p = socket.getLocalPort();
                if (avoid.length == 0 || p != avoid[0]) {
                    return p;
                }
            } catch (IOException e) {
                throw new EmbeddedKafkaException("cannot find a free port on " + HOST + ": " + e.getMessage(), e);
            }
        }
        throw new EmbeddedKafkaException("cannot find a free port on " + HOST);
    }
}
