package dev.statefront.gateway.routing;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.ColumnType;
import dev.statefront.core.KeyCodec;
import dev.statefront.core.Position;
import dev.statefront.core.RowCodec;
import dev.statefront.proto.internal.v1.BatchGetRequest;
import dev.statefront.proto.internal.v1.BatchGetResponse;
import dev.statefront.proto.internal.v1.CatalogRequest;
import dev.statefront.proto.internal.v1.CatalogResponse;
import dev.statefront.proto.internal.v1.DescribeRequest;
import dev.statefront.proto.internal.v1.DescribeResponse;
import dev.statefront.proto.internal.v1.GetRequest;
import dev.statefront.proto.internal.v1.GetResponse;
import dev.statefront.proto.internal.v1.ReadConsistency;
import dev.statefront.proto.internal.v1.ReadOutcome;
import dev.statefront.proto.internal.v1.ReplicaServiceGrpc;
import dev.statefront.proto.internal.v1.ScanRequest;
import dev.statefront.proto.internal.v1.ScanResponse;
import dev.statefront.proto.internal.v1.StatusRequest;
import dev.statefront.proto.internal.v1.StatusResponse;
import dev.statefront.state.server.Freshness;
import dev.statefront.state.server.PartitionStatus;
import dev.statefront.state.server.ReadOptions;
import dev.statefront.state.server.ReadResult;
import dev.statefront.state.server.ReadStatus;
import dev.statefront.state.server.ViewDescription;
import dev.statefront.state.server.ViewRow;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A state server reached over gRPC ({@code statefront.internal.v1.ReplicaService}): over TCP for a state server in
 * another process, or over grpc-java's in-process transport in the all-in-one process. Every call over TCP has a
 * deadline: the read's wait plus {@code callTimeout} (an enclosing gRPC call's earlier deadline wins, so deadlines
 * propagate). An in-process call runs the service on the caller's thread (direct executors on both sides), where a
 * deadline could not stop anything and only costs a timer per call, so it gets none of its own: the state server
 * bounds a read's wait itself, and an enclosing call's deadline still propagates. An in-process replica is reached
 * over several channels, each caller thread keeping to one: grpc-java's in-process transport starts every call under
 * one lock per transport, which request threads otherwise queue on. A point read of an in-process replica that waits
 * for no position goes over a pooled {@code GetStream} call instead, one message each way, which costs far less than
 * setting up a call; if that stream fails the read takes the unary path, which reports the failure.
 * The replica's state, served partitions and view catalog are polled in the background, so routing a read costs no
 * extra call. A replica that cannot be reached answers UNAVAILABLE values, never exceptions.
 */
public final class GrpcReplica implements StateReplica, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcReplica.class);
    /** How often the replica's status is polled. */
    public static final Duration POLL_INTERVAL = Duration.ofMillis(500);
    private static final long MISS_REFRESH_NANOS = Duration.ofMillis(100).toNanos();
    /** The deadline argument of {@link #unary} for a call without a deadline of its own. */
    private static final long NO_DEADLINE = -1;
    /** Channels to an in-process replica: enough that request threads rarely share one. */
    private static final int IN_PROCESS_CHANNELS = Math.max(8, 4 * Runtime.getRuntime().availableProcessors());

    private final String id;
    /** In-process channels to one server per thread group; one for a replica over TCP. */
    private final List<ManagedChannel> channels;

    private final Duration callTimeout;
    /** In this JVM: calls run on the caller's thread and carry no deadline of their own (see above); else TCP. */
    private final boolean inProcess;
    private final ScheduledExecutorService poller;
    /** Idle {@code GetStream} calls to an in-process replica, each used by one read at a time (see {@link #get}). */
    private final ConcurrentLinkedDeque<GetSession> idleGetSessions = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;
    private volatile Snapshot snapshot = new Snapshot("UNKNOWN (not polled yet)", false, Map.of(), Map.of(), 0);

    /** What the last status poll said. */
    private record Snapshot(String state, boolean serving, Map<String, Set<Integer>> served,
                            Map<String, CatalogEntry> views, long atNanos) {
    }

    private GrpcReplica(String id, List<ManagedChannel> channels, Duration callTimeout, boolean inProcess) {
        this.id = id;
        this.channels = List.copyOf(channels);
        this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
        this.inProcess = inProcess;
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "statefront-replica-poll-" + id);
            t.setDaemon(true);
            return t;
        });
        refresh();
        poller.scheduleWithFixedDelay(this::refresh, POLL_INTERVAL.toMillis(), POLL_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * A replica at {@code host:port} over plaintext TCP.
     *
     * @param target {@code host:port}
     * @param callTimeout the deadline of a call that does not wait for a position
     */
    public static GrpcReplica connect(String target, Duration callTimeout) {
        ManagedChannel ch = NettyChannelBuilder.forTarget(target).usePlaintext()
                .keepAliveTime(30, TimeUnit.SECONDS).build();
        return new GrpcReplica(target, List.of(ch), callTimeout, false);
    }

    /**
     * A replica in this JVM, served under an in-process name (see {@code ReplicaServer.inProcess}), whose calls run
     * on the caller's thread.
     *
     * @param callTimeout the deadline of a status poll
     */
    public static GrpcReplica inProcess(String name, Duration callTimeout) {
        List<ManagedChannel> channels = new ArrayList<>(IN_PROCESS_CHANNELS);
        for (int i = 0; i < IN_PROCESS_CHANNELS; i++) {
            channels.add(InProcessChannelBuilder.forName(name).directExecutor().build());
        }
        return new GrpcReplica("in-process:" + name, channels, callTimeout, true);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean inProcess() {
        return inProcess;
    }

    @Override
    public boolean serving() {
        return snapshot.serving();
    }

    @Override
    public String status() {
        return snapshot.state();
    }

    @Override
    public Set<Integer> servedPartitions(String view) {
        Set<Integer> parts = snapshot.served().get(view);
        if (parts == null && System.nanoTime() - snapshot.atNanos() > MISS_REFRESH_NANOS) {
            refresh(); // a view created since the last poll
            parts = snapshot.served().get(view);
        }
        return parts == null ? Set.of() : parts;
    }

    /** Polls the replica's status now. */
    void refresh() {
        long now = System.nanoTime();
        try {
            StatusResponse r = unary(ReplicaServiceGrpc.getStatusMethod(), StatusRequest.getDefaultInstance(),
                    callTimeout.toMillis());
            Map<String, Set<Integer>> served = new HashMap<>();
            for (StatusResponse.Served s : r.getServedList()) {
                served.put(s.getView(), Set.copyOf(new TreeSet<>(s.getPartitionsList())));
            }
            Map<String, CatalogEntry> views = new HashMap<>();
            for (ByteString b : r.getViewEntriesList()) {
                CatalogEntry e = CatalogEntry.fromJson(b.toByteArray());
                views.put(e.name(), e);
            }
            boolean wasServing = snapshot.serving();
            snapshot = new Snapshot(r.getState(), r.getServing(), Map.copyOf(served), Map.copyOf(views), now);
            if (r.getServing() != wasServing) {
                LOG.info("state replica {} is {}", id, r.getState());
            }
        } catch (StatusRuntimeException e) {
            markDown(e, now);
        } catch (RuntimeException e) {
            LOG.warn("state replica {}: cannot read its status: {}", id, e.toString());
            snapshot = new Snapshot("UNREADABLE (" + e.getMessage() + ")", false, Map.of(), Map.of(), now);
        }
    }

    private void markDown(StatusRuntimeException e, long now) {
        boolean wasServing = snapshot.serving();
        snapshot = new Snapshot("DOWN (" + e.getStatus().getCode() + ")", false, snapshot.served(), snapshot.views(),
                now);
        if (wasServing) {
            LOG.warn("state replica {} cannot be reached: {}", id, e.getStatus());
        }
    }

    // ------------------------------------------------------------------ catalog

    @Override
    public ReadResult<List<CatalogEntry>> views() {
        return catalog(CatalogRequest.Kind.VIEW, "", r -> r);
    }

    @Override
    public ReadResult<List<CatalogEntry>> sources() {
        return catalog(CatalogRequest.Kind.SOURCE, "", r -> r);
    }

    @Override
    public ReadResult<CatalogEntry> view(String name) {
        Snapshot s = snapshot;
        CatalogEntry cached = s.serving() ? s.views().get(name) : null;
        if (cached != null) {
            return ReadResult.ok(cached, null, null);
        }
        return catalog(CatalogRequest.Kind.VIEW, name, r -> r.get(0));
    }

    @Override
    public ReadResult<CatalogEntry> source(String name) {
        return catalog(CatalogRequest.Kind.SOURCE, name, r -> r.get(0));
    }

    private <T> ReadResult<T> catalog(CatalogRequest.Kind kind, String name, Function<List<CatalogEntry>, T> pick) {
        CatalogRequest request = CatalogRequest.newBuilder().setKind(kind).setName(name).build();
        return call(ReadOptions.NOW, ReplicaServiceGrpc.getCatalogMethod(), request, r -> result(r.getOutcome(), () -> {
            List<CatalogEntry> entries = new ArrayList<>(r.getEntriesCount());
            r.getEntriesList().forEach(b -> entries.add(CatalogEntry.fromJson(b.toByteArray())));
            return pick.apply(entries);
        }));
    }

    // ------------------------------------------------------------------ reads

    @Override
    public ReadResult<ViewDescription> describe(String view, ReadOptions options) {
        DescribeRequest request = DescribeRequest.newBuilder().setView(view).setConsistency(consistency(options))
                .build();
        return call(options, ReplicaServiceGrpc.getDescribeMethod(), request, r -> result(r.getOutcome(), () -> {
            List<PartitionStatus> parts = new ArrayList<>(r.getPartitionsCount());
            for (dev.statefront.proto.internal.v1.PartitionStatus p : r.getPartitionsList()) {
                parts.add(new PartitionStatus(p.getPartition(), p.getNextOffset(), position(p.getPosition()),
                        p.getAsOfMs(), p.getRowCount()));
            }
            return new ViewDescription(CatalogEntry.fromJson(r.getEntry().toByteArray()), r.getRowCount(), parts);
        }));
    }

    @Override
    public ReadResult<Object[]> get(CatalogEntry view, Object[] key, ReadOptions options) {
        byte[] encoded;
        try {
            encoded = KeyCodec.encode(view.schema().keyTypes(), key);
        } catch (IllegalArgumentException e) {
            return keyMismatch(view, e);
        }
        GetRequest request = GetRequest.newBuilder().setView(view.name())
                .setKey(UnsafeByteOperations.unsafeWrap(encoded)).setConsistency(consistency(options)).build();
        Function<GetResponse, ReadResult<Object[]>> answer = r -> result(r.getOutcome(), () -> r.getFound()
                ? RowCodec.decode(view.schema().columns(), r.getRow().toByteArray()) : null);
        if (inProcess && options.minPosition().isEmpty() && !closed) {
            GetResponse streamed = getOverStream(request);
            if (streamed != null) {
                return decoded(streamed, answer);
            }
        }
        return call(options, ReplicaServiceGrpc.getGetMethod(), request, answer);
    }

    /**
     * A read that waits for no position, over an idle {@code GetStream} call (a new one if none is idle): in this
     * process one message each way costs far less than a unary call. Null if the stream failed; the read then goes
     * through {@code Get}, which reports the failure as usual.
     */
    private GetResponse getOverStream(GetRequest request) {
        GetSession session = idleGetSessions.pollFirst();
        if (session == null) {
            session = new GetSession(channel());
        }
        GetResponse response = session.exchange(request);
        if (response == null) {
            session.cancel("the stream failed");
            return null;
        }
        idleGetSessions.offerFirst(session);
        if (closed) { // closed meanwhile: close() may have drained the idle ones before this one came back
            cancelIdleSessions();
        }
        return response;
    }

    private void cancelIdleSessions() {
        GetSession s;
        while ((s = idleGetSessions.pollFirst()) != null) {
            s.cancel("the replica is closed");
        }
    }

    /**
     * One open {@code GetStream} call. In process, with direct executors on both sides, the answer to a request is
     * delivered on the calling thread before {@code sendMessage} returns; the wait in {@link #exchange} only covers
     * a transport that hands it over on another thread.
     */
    private static final class GetSession extends ClientCall.Listener<GetResponse> {
        private final ClientCall<GetRequest, GetResponse> call;
        private GetResponse answer;
        private Status status;

        GetSession(ManagedChannel channel) {
            call = channel.newCall(ReplicaServiceGrpc.getGetStreamMethod(), CallOptions.DEFAULT);
            call.start(this, new Metadata());
        }

        /** The answer to one request, or null if the stream has failed or ended. */
        GetResponse exchange(GetRequest request) {
            synchronized (this) {
                if (status != null) {
                    return null;
                }
            }
            try {
                call.request(1);
                call.sendMessage(request);
            } catch (RuntimeException e) {
                return null;
            }
            synchronized (this) {
                try {
                    while (answer == null && status == null) {
                        wait();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
                GetResponse a = answer;
                answer = null;
                return a;
            }
        }

        void cancel(String why) {
            call.cancel(why, null);
        }

        @Override
        public synchronized void onMessage(GetResponse message) {
            answer = message;
            notifyAll();
        }

        @Override
        public synchronized void onClose(Status status, Metadata trailers) {
            this.status = status;
            notifyAll();
        }
    }

    @Override
    public ReadResult<List<Object[]>> batchGet(CatalogEntry view, List<Object[]> keys, ReadOptions options) {
        BatchGetRequest.Builder b = BatchGetRequest.newBuilder().setView(view.name())
                .setConsistency(consistency(options));
        List<ColumnType> types = view.schema().keyTypes();
        try {
            for (Object[] k : keys) {
                b.addKeys(UnsafeByteOperations.unsafeWrap(KeyCodec.encode(types, k)));
            }
        } catch (IllegalArgumentException e) {
            return keyMismatch(view, e);
        }
        BatchGetRequest request = b.build();
        return call(options, ReplicaServiceGrpc.getBatchGetMethod(), request, r -> result(r.getOutcome(), () -> {
            List<Object[]> rows = new ArrayList<>(r.getItemsCount());
            for (BatchGetResponse.Item item : r.getItemsList()) {
                rows.add(item.getFound() ? RowCodec.decode(view.schema().columns(), item.getRow().toByteArray())
                        : null);
            }
            return rows;
        }));
    }

    @Override
    public ReadResult<List<ViewRow>> scan(CatalogEntry view, byte[] fromInclusive, byte[] toExclusive, int limit,
                                          Set<Integer> partitions, ReadOptions options) {
        ScanRequest.Builder b = ScanRequest.newBuilder().setView(view.name()).setLimit(limit)
                .setConsistency(consistency(options));
        if (fromInclusive != null) {
            b.setFrom(UnsafeByteOperations.unsafeWrap(fromInclusive));
        }
        if (toExclusive != null) {
            b.setTo(UnsafeByteOperations.unsafeWrap(toExclusive));
        }
        if (partitions == null) {
            b.setAllPartitions(true);
        } else {
            b.addAllPartitions(partitions);
        }
        ScanRequest request = b.build();
        return call(options, ReplicaServiceGrpc.getScanMethod(), request, r -> result(r.getOutcome(), () -> {
            List<ViewRow> rows = new ArrayList<>(r.getRowsCount());
            for (ScanResponse.Item item : r.getRowsList()) {
                rows.add(new ViewRow(item.getKey().toByteArray(),
                        RowCodec.decode(view.schema().columns(), item.getRow().toByteArray())));
            }
            return rows;
        }));
    }

    // ------------------------------------------------------------------ plumbing

    private static <T> ReadResult<T> keyMismatch(CatalogEntry view, IllegalArgumentException e) {
        return ReadResult.failure(ReadStatus.INVALID_ARGUMENT, "key does not fit view '" + view.name() + "' key "
                + view.schema().keyColumnNames() + ": " + e.getMessage());
    }

    /** A read's call, its answer turned into a result by {@code answer}; failures of the call are results too. */
    private <Q, A, T> ReadResult<T> call(ReadOptions options, MethodDescriptor<Q, A> method, Q request,
                                         Function<A, ReadResult<T>> answer) {
        long deadlineMs = callTimeout.toMillis() + options.waitTimeout().toMillis();
        A response;
        try {
            response = unary(method, request, inProcess ? NO_DEADLINE : deadlineMs);
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            if (code == Status.Code.UNAVAILABLE) {
                markDown(e, System.nanoTime());
            }
            String why = code == Status.Code.DEADLINE_EXCEEDED ? "did not answer within its deadline ("
                    + (inProcess ? "the caller's)" : deadlineMs + " ms, or the caller's earlier one)")
                    : "cannot be reached: " + e.getStatus();
            return ReadResult.failure(ReadStatus.UNAVAILABLE, "state replica " + id + " " + why);
        } catch (RuntimeException e) {
            return ReadResult.failure(ReadStatus.UNAVAILABLE, "state replica " + id + ": the call failed: " + e);
        }
        return decoded(response, answer);
    }

    /** A read's answer turned into a result by {@code answer}; one that cannot be decoded is a failure too. */
    private <A, T> ReadResult<T> decoded(A response, Function<A, ReadResult<T>> answer) {
        try {
            return answer.apply(response);
        } catch (RuntimeException e) {
            return ReadResult.failure(ReadStatus.UNAVAILABLE, "state replica " + id + " sent an answer that cannot "
                    + "be decoded: " + e.getMessage());
        }
    }

    /**
     * One unary call on the calling thread's channel, waiting for its answer. Without the blocking stub's
     * machinery (a thread-less executor, a future and a serializing executor per call): in-process the answer
     * arrives on this thread before {@code halfClose} returns; over TCP a channel thread hands it over.
     *
     * @param deadlineMs the call's own deadline, or {@link #NO_DEADLINE} (an enclosing call's still applies)
     * @throws StatusRuntimeException when the call fails
     */
    private <Q, A> A unary(MethodDescriptor<Q, A> method, Q request, long deadlineMs) {
        ClientCall<Q, A> call = channel().newCall(method, deadlineMs == NO_DEADLINE ? CallOptions.DEFAULT
                : CallOptions.DEFAULT.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS));
        UnaryListener<A> listener = new UnaryListener<>();
        try {
            call.start(listener, new Metadata());
            call.request(2); // a second message would be a protocol error, as the blocking stub checks
            call.sendMessage(request);
            call.halfClose();
        } catch (RuntimeException | Error e) {
            call.cancel("the call failed to start", e);
            throw e;
        }
        try {
            return listener.await();
        } catch (InterruptedException e) {
            call.cancel("the calling thread was interrupted", e);
            Thread.currentThread().interrupt();
            throw Status.CANCELLED.withDescription("interrupted while waiting for the state replica").withCause(e)
                    .asRuntimeException();
        }
    }

    /** The calling thread's channel. */
    private ManagedChannel channel() {
        return channels.size() == 1 ? channels.get(0)
                : channels.get((int) (Thread.currentThread().getId() % channels.size()));
    }

    /** The outcome of one unary call, handed over by its listener. */
    private static final class UnaryListener<A> extends ClientCall.Listener<A> {
        private A response;
        private Status status;
        private Metadata trailers;

        @Override
        public synchronized void onMessage(A message) {
            if (response != null) {
                throw Status.INTERNAL.withDescription("more than one answer to a unary call").asRuntimeException();
            }
            response = message;
        }

        @Override
        public synchronized void onClose(Status status, Metadata trailers) {
            this.status = status;
            this.trailers = trailers;
            notifyAll();
        }

        synchronized A await() throws InterruptedException {
            while (status == null) {
                wait();
            }
            if (!status.isOk()) {
                throw status.asRuntimeException(trailers);
            }
            if (response == null) {
                throw Status.INTERNAL.withDescription("no answer to a unary call").asRuntimeException();
            }
            return response;
        }
    }

    private static ReadConsistency consistency(ReadOptions o) {
        ReadConsistency.Builder b = ReadConsistency.newBuilder().setWaitMs(o.waitTimeout().toMillis());
        if (!o.minPosition().isEmpty()) {
            b.setMinPosition(o.minPosition().token());
        }
        return b.build();
    }

    private static Position position(String token) {
        return token.isEmpty() ? Position.EMPTY : Position.fromToken(token);
    }

    private <T> ReadResult<T> result(ReadOutcome o, java.util.function.Supplier<T> value) {
        Freshness freshness = new Freshness(o.getAsOfMs(), o.getLagMs());
        return switch (o.getStatus()) {
            case OK -> ReadResult.ok(value.get(), position(o.getPosition()), freshness);
            case NOT_FOUND -> new ReadResult<>(ReadStatus.NOT_FOUND, null, null, null, o.getMessage(), null);
            case INVALID_ARGUMENT -> new ReadResult<>(ReadStatus.INVALID_ARGUMENT, null, null, null, o.getMessage(),
                    null);
            case NOT_UP_TO_POSITION -> ReadResult.notUpToPosition("state replica " + id + ": " + o.getMessage(),
                    o.getMissingMap(), position(o.getPosition()), freshness);
            default -> ReadResult.failure(ReadStatus.UNAVAILABLE, "state replica " + id + ": " + o.getMessage());
        };
    }

    /** Stops polling and closes the channels (bounded wait). */
    @Override
    public void close() {
        closed = true;
        cancelIdleSessions();
        poller.shutdownNow();
        channels.forEach(ManagedChannel::shutdown);
        try {
            for (ManagedChannel channel : channels) {
                if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                    channel.shutdownNow();
                }
            }
        } catch (InterruptedException e) {
            channels.forEach(ManagedChannel::shutdownNow);
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "GrpcReplica[" + id + "=" + status() + "]";
    }
}
