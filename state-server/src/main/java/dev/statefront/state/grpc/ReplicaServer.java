package dev.statefront.state.grpc;

import dev.statefront.state.server.StateServer;
import io.grpc.Server;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link ReplicaService} for one {@link StateServer}: over TCP for gateways in other processes, or on a
 * named in-process transport for the gateway of the same process. Lifecycle {@code CREATED → RUNNING → STOPPED};
 * shutdown is graceful with a bounded wait.
 */
public final class ReplicaServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaServer.class);
    private static final long SHUTDOWN_GRACE_MS = 5_000;

    /** Lifecycle of a replica server. */
    public enum State { CREATED, RUNNING, STOPPED }

    private final String description;
    private final Server server;
    private final String host;
    private final int requestedPort;
    private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);

    private ReplicaServer(String description, Server server, String host, int requestedPort) {
        this.description = description;
        this.server = server;
        this.host = host;
        this.requestedPort = requestedPort;
    }

    /**
     * A server on a TCP port.
     *
     * @param host the interface to bind, e.g. {@code 0.0.0.0}
     * @param port the port; 0 binds an ephemeral one ({@link #port()} tells which)
     */
    public static ReplicaServer network(StateServer stateServer, String host, int port) {
        Objects.requireNonNull(host, "host");
        Server s = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .addService(new ReplicaService(stateServer)).build();
        return new ReplicaServer("replica service of app '" + stateServer.config().appId() + "' on " + host + ":"
                + port, s, host, port);
    }

    /** A server on grpc-java's in-process transport under a name unique in this JVM. */
    public static ReplicaServer inProcess(StateServer stateServer, String name) {
        Server s = InProcessServerBuilder.forName(name).directExecutor().addService(new ReplicaService(stateServer))
                .build();
        return new ReplicaServer("in-process replica service '" + name + "'", s, null, -1);
    }

    /**
     * Starts serving; returns once bound.
     *
     * @throws IllegalStateException if started before
     * @throws ReplicaServerException naming host and port when the port cannot be bound
     */
    public ReplicaServer start() {
        if (!state.compareAndSet(State.CREATED, State.RUNNING)) {
            throw new IllegalStateException(description + " cannot start: it is " + state.get());
        }
        try {
            server.start();
        } catch (IOException e) {
            state.set(State.STOPPED);
            boolean bind = e instanceof BindException || e.getCause() instanceof BindException;
            throw new ReplicaServerException("cannot start the " + description + ": "
                    + (bind ? "port " + requestedPort + " is already in use (or not allowed) on " + host
                    + "; set another state.server.grpc.port" : e.toString()), e);
        }
        LOG.info("{} serving{}", description, requestedPort >= 0 ? " on port " + port() : "");
        return this;
    }

    /** The bound TCP port (the actual one when asked for 0); -1 for an in-process server. */
    public int port() {
        return requestedPort < 0 ? -1 : server.getPort();
    }

    /** The current lifecycle state. */
    public State state() {
        return state.get();
    }

    /** Stops accepting calls, lets running ones finish for a bounded time, then cancels them; idempotent. */
    @Override
    public void close() {
        if (state.getAndSet(State.STOPPED) != State.RUNNING) {
            return;
        }
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
        LOG.info("{} stopped", description);
    }

    /** The replica server could not start; the message names the address. */
    public static final class ReplicaServerException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReplicaServerException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
