package dev.statefront.processor;

import dev.statefront.processor.internals.ProcessorMetrics;
import dev.statefront.processor.internals.ProcessorThread;
import dev.statefront.processor.internals.ProcessorTopics;
import dev.statefront.processor.plan.Program;
import dev.statefront.processor.sql.SqlPlanner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor role: plans the SQL, prepares topics and the catalog, then runs the exactly-once processing
 * loop in a background thread until closed.
 */
public final class ProcessorServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessorServer.class);

    /** Lifecycle states; transitions are compare-and-set. */
    public enum State { CREATED, STARTING, RUNNING, STOPPING, STOPPED, FAILED }

    private final ProcessorConfig config;
    private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
    private final AtomicBoolean running = new AtomicBoolean();
    private final ProcessorMetrics metrics = new ProcessorMetrics();
    private final List<ProcessorThread> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private Program program;
    private volatile CommitListener commitListener;

    public ProcessorServer(ProcessorConfig config) {
        this(config, null);
    }

    /**
     * A processor running {@code program}, already planned from {@code config.sqlScript()} (a caller that plans the
     * SQL for other roles too need not have it planned twice); null plans it at {@link #start()}.
     */
    public ProcessorServer(ProcessorConfig config, Program program) {
        this.config = config;
        this.program = program;
    }

    /**
     * Tells {@code listener} what every committed transaction wrote to the view change topics (see
     * {@link CommitListener}). Set before {@link #start()}.
     */
    public void onCommitted(CommitListener listener) {
        if (state.get() != State.CREATED) {
            throw new IllegalStateException("a commit listener is set before the processor starts");
        }
        this.commitListener = listener;
    }

    /**
     * Plans the SQL, prepares topics, publishes the catalog and starts processing in the background.
     *
     * @throws dev.statefront.processor.sql.SqlException if the SQL is invalid
     * @throws ProcessorException if topics or state cannot be prepared
     * @throws IllegalStateException if already started
     */
    public void start() {
        if (!state.compareAndSet(State.CREATED, State.STARTING)) {
            throw new IllegalStateException("processor cannot start from state " + state.get());
        }
        try {
            if (program == null) {
                program = SqlPlanner.plan(config.sqlScript());
            }
            var views = new ProcessorTopics(config).prepare(program);
            running.set(true);
            String instance = instanceId();
            for (int i = 0; i < config.threads(); i++) {
                ProcessorThread loop = new ProcessorThread(config, views.values(),
                        config.appId() + "-processor-" + instance + "-" + i, running, metrics, Clock.systemUTC(),
                        commitListener);
                Thread thread = new Thread(loop, "statefront-processor-" + i);
                thread.setDaemon(false);
                loops.add(loop);
                threads.add(thread);
            }
            threads.forEach(Thread::start);
            state.set(State.RUNNING);
            LOG.info("processor running: {} source(s), {} view(s) on {}", program.sources().size(),
                    program.views().size(), config.bootstrapServers());
        } catch (RuntimeException e) {
            state.set(State.FAILED);
            throw e;
        }
    }

    /** The planned program; null before {@link #start()} unless it was given. */
    public Program program() {
        return program;
    }

    public State state() {
        return state.get();
    }

    public ProcessorMetrics metrics() {
        return metrics;
    }

    /** Stops processing after the current transaction and closes the task stores cleanly. Bounded. */
    @Override
    public void close() {
        State s = state.get();
        if (s == State.STOPPED || s == State.STOPPING) {
            return;
        }
        state.set(State.STOPPING);
        running.set(false);
        loops.forEach(ProcessorThread::wakeup);
        long deadline = System.nanoTime() + 30_000_000_000L;
        for (Thread thread : threads) {
            try {
                thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (thread.isAlive()) {
                    LOG.warn("processor thread {} did not stop within 30 s", thread.getName());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        state.set(State.STOPPED);
    }

    /**
     * A stable id for this processor instance, kept in its state directory, so that after a crash the next
     * start reuses the transactional id and so aborts the transaction the crashed run left open.
     */
    private String instanceId() {
        Path f = config.stateDir().resolve("instance.id");
        try {
            Files.createDirectories(config.stateDir());
            if (Files.exists(f)) {
                return Files.readString(f, StandardCharsets.UTF_8).trim();
            }
            String id = UUID.randomUUID().toString().substring(0, 8);
            Files.writeString(f, id, StandardCharsets.UTF_8);
            return id;
        } catch (IOException e) {
            throw new ProcessorException("cannot read or write " + f, e);
        }
    }
}
