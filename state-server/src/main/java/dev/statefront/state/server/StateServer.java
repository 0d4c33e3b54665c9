package dev.statefront.state.server;

import dev.statefront.core.CatalogEntry;
import dev.statefront.core.CommittedPartition;
import dev.statefront.state.internals.ChangeHub;
import dev.statefront.state.internals.KafkaFeedLoop;
import dev.statefront.state.internals.Materializer;
import dev.statefront.state.store.StateStore;
import dev.statefront.state.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Materializes every view's change topic into a local RocksDB replica and serves point and range reads, each
 * answered with the source position it reflects and its freshness. Reads are thread-safe and never throw for
 * expected outcomes: they return a {@link ReadResult} with a {@link ReadStatus}.
 *
 * <p>Lifecycle: {@code CREATED → RESTORING → RUNNING → STOPPING → STOPPED}. {@link #start()} opens the store and
 * starts one background consumer thread; reads answer {@link ReadStatus#UNAVAILABLE} until the catalog and the
 * change topics have been read up to their end offsets at start.
 */
public final class StateServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateServer.class);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(15);
    /** Committed transactions that may wait for the applier; more are dropped and read from Kafka instead. */
    private static final int HANDOFF_QUEUE = 16;

    private final StateServerConfig config;
    private final Clock clock;
    private final AtomicReference<ServerState> state = new AtomicReference<>(ServerState.CREATED);
    private final Object stateMonitor = new Object();
    private volatile StateStore store;
    private volatile Materializer materializer;
    private volatile ChangeHub changes;
    private volatile KafkaFeedLoop loop;
    private volatile Thread thread;
    private volatile Thread handoffThread;
    private volatile Throwable failure;
    /**
     * Hand-overs from a processor in this process, waiting to be applied in the order it told them: committed
     * transactions ({@link #handOff}) and released partitions ({@link #handBack}).
     */
    private final BlockingQueue<HandOff> handoffs = new ArrayBlockingQueue<>(HANDOFF_QUEUE);
    private final AtomicLong handoffsDropped = new AtomicLong();
    private final AtomicLong handoffPartitionsApplied = new AtomicLong();

    /** A server over the system clock. */
    public StateServer(StateServerConfig config) {
        this(config, Clock.systemUTC());
    }

    /** A server measuring freshness with the given clock. */
    public StateServer(StateServerConfig config, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The settings. */
    public StateServerConfig config() {
        return config;
    }

    /** The current lifecycle state. */
    public ServerState state() {
        return state.get();
    }

    /** Why the server stopped on its own, or null. */
    public Throwable failure() {
        return failure;
    }

    /**
     * Opens the store and starts reading Kafka on a background thread; returns at once.
     *
     * @throws IllegalStateException if the server was started before or has no bootstrap servers
     * @throws StoreException if the store cannot be opened (the server is then STOPPED)
     */
    public void start() {
        if (config.bootstrapServers() == null || config.bootstrapServers().isBlank()) {
            throw new IllegalStateException("state server of app '" + config.appId()
                    + "' needs bootstrap servers to start; use startEmbedded() to feed it directly");
        }
        transition(ServerState.CREATED, ServerState.RESTORING);
        openStore();
        Map<String, Object> props = new HashMap<>(config.consumerOverrides());
        props.putIfAbsent("bootstrap.servers", config.bootstrapServers());
        changes = new ChangeHub(materializer, store, config.appId(), props, ChangeHub.DEFAULT_BUFFER);
        try {
            loop = new KafkaFeedLoop(materializer, config.appId(), props,
                    () -> transition(ServerState.RESTORING, ServerState.RUNNING),
                    () -> state.get().compareTo(ServerState.STOPPING) >= 0);
        } catch (RuntimeException e) {
            stopAfterFailure(e);
            throw e;
        }
        Thread t = new Thread(this::runLoop, "statefront-state-server-" + config.appId());
        thread = t;
        Thread h = new Thread(this::runHandoffs, "statefront-state-handoff-" + config.appId());
        h.setDaemon(true);
        handoffThread = h;
        t.start();
        h.start();
    }

    /**
     * Takes what a processor in the same process just committed (its {@code CommitListener}); returns at once. The
     * changes are applied on the server's own thread, ahead of the change topics' delivery, so reads see a commit
     * without the round trip through Kafka; whatever cannot be applied that way (the server is behind, or too
     * many commits wait) the Kafka feed applies as it always does.
     */
    public void handOff(List<CommittedPartition> committed) {
        if (!takesHandOffs() || committed.isEmpty()) {
            return;
        }
        if (!handoffs.offer(new HandOff(committed, null, -1))) {
            handoffsDropped.incrementAndGet();
            materializer.handoffsLost(committed);
        }
    }

    /**
     * The processor of this process stopped writing a view partition (revoked, lost, or stopped): once the
     * hand-overs before this one are applied, the Kafka feed fetches the partition again at once, for the commits
     * of its next owner, instead of after {@code KafkaFeedLoop}'s quiet window. Returns at once.
     *
     * @param changeTopic the view's change topic
     * @param partition the partition of it
     */
    public void handBack(String changeTopic, int partition) {
        if (!takesHandOffs()) {
            return;
        }
        // a full queue leaves the partition to the quiet window (the commits queued before would cover it again)
        handoffs.offer(new HandOff(null, changeTopic, partition));
    }

    /** Whether hand-overs are taken: the server follows Kafka (it has an applier thread) and is not stopping. */
    private boolean takesHandOffs() {
        return handoffThread != null && state.get().compareTo(ServerState.STOPPING) < 0;
    }

    /** View partitions of handed-over transactions applied directly (each transaction counts its partitions). */
    public long handoffPartitionsApplied() {
        return handoffPartitionsApplied.get();
    }

    /**
     * Records the Kafka feed read from view change topics; what was handed over (see {@link #handOff}) is not
     * fetched from them again. 0 for an embedded server.
     */
    public long feedViewRecordsRead() {
        KafkaFeedLoop l = loop;
        return l == null ? 0 : l.viewRecordsRead();
    }

    /**
     * View change partitions the Kafka feed does not fetch now, because the processor of this process hands their
     * commits over; 0 for an embedded server.
     */
    public int feedPausedViewPartitions() {
        KafkaFeedLoop l = loop;
        return l == null ? 0 : l.pausedViewPartitions();
    }

    /** Committed transactions handed over but dropped because the applier was behind. */
    public long handoffsDropped() {
        return handoffsDropped.get();
    }

    private void runHandoffs() {
        List<HandOff> taken = new ArrayList<>();
        List<CommittedPartition> all = new ArrayList<>();
        while (state.get().compareTo(ServerState.STOPPING) < 0) {
            try {
                HandOff first = handoffs.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                taken.add(first);
                handoffs.drainTo(taken);
                // consecutive commits are applied together; a release after the commits before it
                for (HandOff h : taken) {
                    if (h.committed() != null) {
                        all.addAll(h.committed());
                    } else {
                        applyHandedOver(all);
                        materializer.handedBack(h.releasedTopic(), h.releasedPartition());
                    }
                }
                applyHandedOver(all);
            } catch (InterruptedException e) {
                return;
            } finally {
                taken.clear();
            }
        }
    }

    /** Applies (and empties) {@code committed}; what fails goes back to the Kafka feed. */
    private void applyHandedOver(List<CommittedPartition> committed) {
        if (committed.isEmpty()) {
            return;
        }
        try {
            handoffPartitionsApplied.addAndGet(materializer.applyCommitted(committed));
        } catch (RuntimeException e) {
            // the Kafka feed applies the same changes from the change topics
            materializer.handoffsLost(committed);
            LOG.warn("state server of app '{}' could not apply a handed-over commit: {}", config.appId(),
                    e.toString());
        } finally {
            committed.clear();
        }
    }

    /** One hand-over: a committed transaction's partitions, or else one released view partition. */
    private record HandOff(List<CommittedPartition> committed, String releasedTopic, int releasedPartition) {
    }

    /**
     * Opens the store and starts without Kafka: the returned feed applies batches through the same path the
     * consumer loop uses. For embedding and tests. The server is RUNNING when this returns.
     *
     * @throws IllegalStateException if the server was started before
     * @throws StoreException if the store cannot be opened
     */
    public StateFeed startEmbedded() {
        transition(ServerState.CREATED, ServerState.RESTORING);
        openStore();
        changes = new ChangeHub(materializer, store, config.appId(), null, ChangeHub.DEFAULT_BUFFER);
        transition(ServerState.RESTORING, ServerState.RUNNING);
        return batch -> {
            ServerState s = state.get();
            if (s != ServerState.RUNNING) {
                throw new IllegalStateException("cannot feed state server of app '" + config.appId() + "' in state "
                        + s);
            }
            materializer.apply(batch);
        };
    }

    private void openStore() {
        try {
            store = StateStore.open(config.stateDir());
            materializer = new Materializer(config.appId(), store, clock, config.maxWait());
        } catch (RuntimeException e) {
            stopAfterFailure(e);
            throw e;
        }
    }

    private void runLoop() {
        try {
            loop.run();
        } catch (Throwable t) {
            if (state.get().compareTo(ServerState.STOPPING) < 0) {
                LOG.error("state server of app '{}' stopped: cannot go on applying changes to {}", config.appId(),
                        config.stateDir(), t);
                stopAfterFailure(t);
            }
        }
    }

    private void stopAfterFailure(Throwable t) {
        failure = t;
        ServerState s = state.get();
        if (s.compareTo(ServerState.STOPPING) < 0 && state.compareAndSet(s, ServerState.STOPPING)) {
            closeResources();
            setState(ServerState.STOPPED);
        }
    }

    /**
     * Blocks until the server is RUNNING, or it stopped, or the timeout passed.
     *
     * @return true if RUNNING
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (stateMonitor) {
            while (state.get() != ServerState.RUNNING && state.get().compareTo(ServerState.STOPPING) < 0) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                stateMonitor.wait(Math.max(1, remaining / 1_000_000));
            }
            return state.get() == ServerState.RUNNING;
        }
    }

    private void transition(ServerState from, ServerState to) {
        if (!state.compareAndSet(from, to)) {
            throw new IllegalStateException("state server of app '" + config.appId() + "' cannot go from " + from
                    + " to " + to + ": it is " + state.get());
        }
        LOG.info("state server of app '{}' at {}: {} -> {}", config.appId(), config.stateDir(), from, to);
        synchronized (stateMonitor) {
            stateMonitor.notifyAll();
        }
    }

    private void setState(ServerState to) {
        state.set(to);
        synchronized (stateMonitor) {
            stateMonitor.notifyAll();
        }
    }

    // ------------------------------------------------------------------ reads

    /** The views in the catalog, by name. */
    public ReadResult<List<CatalogEntry>> views() {
        return read(() -> ReadResult.ok(materializer.viewEntries(), null, null));
    }

    /** The sources in the catalog, by name. */
    public ReadResult<List<CatalogEntry>> sources() {
        return read(() -> ReadResult.ok(materializer.sourceEntries(), null, null));
    }

    /** The catalog entry of a view; NOT_FOUND naming the known views if there is none. */
    public ReadResult<CatalogEntry> view(String name) {
        return read(() -> {
            CatalogEntry e = materializer.viewEntry(name);
            return e != null ? ReadResult.ok(e, null, null) : ReadResult.failure(ReadStatus.NOT_FOUND,
                    "view '" + name + "' does not exist; views: " + names(materializer.viewEntries()));
        });
    }

    /** The catalog entry of a source; NOT_FOUND naming the known sources if there is none. */
    public ReadResult<CatalogEntry> source(String name) {
        return read(() -> {
            CatalogEntry e = materializer.sourceEntry(name);
            return e != null ? ReadResult.ok(e, null, null) : ReadResult.failure(ReadStatus.NOT_FOUND,
                    "source '" + name + "' does not exist; sources: " + names(materializer.sourceEntries()));
        });
    }

    /** The partitions of a view this server serves (all of them today); empty for an unknown view. */
    public Set<Integer> servedPartitions(String view) {
        Materializer m = materializer;
        CatalogEntry e = m == null ? null : m.viewEntry(view);
        Set<Integer> parts = new TreeSet<>();
        if (e != null) {
            for (int p = 0; p < Math.max(1, e.partitions()); p++) {
                parts.add(p);
            }
        }
        return parts;
    }

    /** A view with its exact row count and per-partition state, at the position of all its partitions. */
    public ReadResult<ViewDescription> describe(String view, ReadOptions options) {
        return read(() -> materializer.describe(view, options));
    }

    /**
     * The row of a key. OK with a null value when the key has no row.
     *
     * @param key the key values in key-column order, of the key columns' Java types
     */
    public ReadResult<Object[]> get(String view, Object[] key, ReadOptions options) {
        return read(() -> materializer.get(view, key, options));
    }

    /** The rows of several keys, in the order of the keys; null elements where a key has no row. */
    public ReadResult<List<Object[]>> batchGet(String view, List<Object[]> keys, ReadOptions options) {
        return read(() -> materializer.batchGet(view, keys, options));
    }

    /**
     * Rows in key order over an encoded key range, over every served partition.
     *
     * @param fromInclusive first key in {@code KeyCodec} encoding (or a prefix of one), null for the start
     * @param toExclusive end key, null for the end
     * @param limit the most rows, at least 1
     */
    public ReadResult<List<ViewRow>> scan(String view, byte[] fromInclusive, byte[] toExclusive, int limit,
                                          ReadOptions options) {
        return scan(view, fromInclusive, toExclusive, limit, null, options);
    }

    /** As {@link #scan(String, byte[], byte[], int, ReadOptions)}, restricted to some partitions (null: all). */
    public ReadResult<List<ViewRow>> scan(String view, byte[] fromInclusive, byte[] toExclusive, int limit,
                                          Set<Integer> partitions, ReadOptions options) {
        return read(() -> materializer.scan(view, fromInclusive, toExclusive, limit, partitions, options));
    }

    /**
     * Subscribes to a view's changes: with {@link SubscribeRequest.Start#SNAPSHOT}, the view's rows at a position
     * P, a snapshot-complete marker, then every change after P; with {@code NOW}, changes from now on; with
     * {@code TOKEN}, every change after the one that token came with (re-read from the change topic when needed).
     * No change is missed or delivered twice, per partition in change-topic order. Expected failures are
     * values: NOT_FOUND (unknown view), INVALID_ARGUMENT (a token of another view), UNAVAILABLE (not running).
     * The caller must {@link ChangeSubscription#close()} the subscription.
     */
    public ReadResult<ChangeSubscription> subscribe(SubscribeRequest request) {
        Objects.requireNonNull(request, "request");
        return read(() -> changes.subscribe(request));
    }

    /** How many change subscriptions are open. */
    public int subscriptions() {
        ChangeHub h = changes;
        return h == null ? 0 : h.subscriptions();
    }

    /** How many subscribers were disconnected because they read too slowly, since start. */
    public long subscriberOverflows() {
        ChangeHub h = changes;
        return h == null ? 0 : h.overflows();
    }

    private <T> ReadResult<T> read(Supplier<ReadResult<T>> op) {
        ServerState s = state.get();
        if (s != ServerState.RUNNING) {
            String why = s == ServerState.RESTORING ? "is restoring (reading the catalog and change topics up to "
                    + "their end offsets); retry shortly"
                    : s == ServerState.CREATED ? "has not been started" : "is " + s
                    + (failure == null ? "" : " after a failure: " + failure);
            return ReadResult.failure(ReadStatus.UNAVAILABLE, "state server of app '" + config.appId() + "' " + why);
        }
        try {
            return op.get();
        } catch (StoreException e) {
            return ReadResult.failure(ReadStatus.UNAVAILABLE, "state server of app '" + config.appId()
                    + "' cannot read its store: " + e.getMessage());
        }
    }

    private static List<String> names(List<CatalogEntry> entries) {
        return entries.stream().map(CatalogEntry::name).toList();
    }

    // ------------------------------------------------------------------ close

    /** Stops the consumer (bounded wait), wakes waiting reads, closes the store; idempotent. */
    @Override
    public void close() {
        while (true) {
            ServerState s = state.get();
            if (s == ServerState.CREATED) {
                if (state.compareAndSet(s, ServerState.STOPPED)) {
                    setState(ServerState.STOPPED);
                    return;
                }
                continue;
            }
            if (s.compareTo(ServerState.STOPPING) >= 0) {
                joinLoop();
                return;
            }
            if (state.compareAndSet(s, ServerState.STOPPING)) {
                LOG.info("state server of app '{}': {} -> STOPPING", config.appId(), s);
                break;
            }
        }
        KafkaFeedLoop l = loop;
        if (l != null) {
            l.wakeup();
        }
        joinLoop();
        closeResources();
        setState(ServerState.STOPPED);
        LOG.info("state server of app '{}' stopped", config.appId());
    }

    private void joinLoop() {
        Thread t = thread;
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(JOIN_TIMEOUT.toMillis());
            if (t.isAlive()) {
                LOG.warn("state server thread {} did not stop within {}; interrupting it", t.getName(), JOIN_TIMEOUT);
                t.interrupt();
                t.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeResources() {
        Thread applier = handoffThread;
        if (applier != null && applier != Thread.currentThread()) {
            applier.interrupt();
            try {
                applier.join(JOIN_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ChangeHub h = changes;
        if (h != null) {
            h.close();
        }
        Materializer m = materializer;
        if (m != null) {
            m.wakeReaders();
        }
        StateStore s = store;
        if (s != null) {
            s.close();
        }
    }
}
