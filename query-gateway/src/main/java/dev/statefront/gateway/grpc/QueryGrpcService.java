package dev.statefront.gateway.grpc;

import dev.statefront.core.CatalogEntry;
import dev.statefront.gateway.query.KeyRange;
import dev.statefront.gateway.query.Keys;
import dev.statefront.gateway.query.QueryException;
import dev.statefront.gateway.query.ReadAnswer;
import dev.statefront.gateway.query.ScanPage;
import dev.statefront.gateway.query.ViewList;
import dev.statefront.gateway.query.ViewQueries;
import dev.statefront.proto.v1.BatchGetRequest;
import dev.statefront.proto.v1.BatchGetResponse;
import dev.statefront.proto.v1.DescribeViewRequest;
import dev.statefront.proto.v1.DescribeViewResponse;
import dev.statefront.proto.v1.GetRequest;
import dev.statefront.proto.v1.GetResponse;
import dev.statefront.proto.v1.Heartbeat;
import dev.statefront.proto.v1.Key;
import dev.statefront.proto.v1.KeyFilter;
import dev.statefront.proto.v1.ListViewsRequest;
import dev.statefront.proto.v1.ListViewsResponse;
import dev.statefront.proto.v1.QueryServiceGrpc;
import dev.statefront.proto.v1.ScanRequest;
import dev.statefront.proto.v1.ScanResponse;
import dev.statefront.proto.v1.SnapshotComplete;
import dev.statefront.proto.v1.SubscribeRequest;
import dev.statefront.proto.v1.SubscribeResponse;
import dev.statefront.state.server.ChangeSubscription;
import dev.statefront.state.server.ReadOptions;
import dev.statefront.state.server.SubscriptionEnd;
import dev.statefront.state.server.SubscriptionEvent;
import dev.statefront.state.server.ViewDescription;
import dev.statefront.state.server.ViewRow;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code statefront.v1.QueryService}: translates requests to the shared {@link ViewQueries} path and answers back;
 * failures go through {@link GrpcErrors}. A read with {@code min_position} waits within the call's deadline (less a
 * small margin to answer in time), or the default wait when the call has none. A Get may be answered on a transport
 * thread (see {@link GrpcEndpoint}): one that can wait for a {@code min_position} moves to the waiting executor.
 */
public final class QueryGrpcService extends QueryServiceGrpc.QueryServiceImplBase {
    /** Rows per Scan message unless the request says otherwise. */
    public static final int DEFAULT_BATCH_SIZE = 500;
    private static final long MIN_MARGIN_MS = 50;

    private final ViewQueries queries;
    private final dev.statefront.gateway.changes.ChangeSource changes;

    /** Where a Get that may wait runs; null: on the calling thread. */
    private final Executor waiting;

    /** A service over the shared query path, answering every call on the calling thread, without Subscribe. */
    public QueryGrpcService(ViewQueries queries) {
        this(queries, null, null);
    }

    /**
     * A service whose Subscribe streams changes from {@code changes}.
     *
     * @param changes the change source; null when this process has no state server (Subscribe then answers
     *     UNAVAILABLE)
     * @param waiting where a Get with a {@code min_position} runs, so that its wait holds no transport thread;
     *     null runs it on the calling thread
     */
    public QueryGrpcService(ViewQueries queries, dev.statefront.gateway.changes.ChangeSource changes,
                            Executor waiting) {
        this.changes = changes;
        this.queries = Objects.requireNonNull(queries, "queries");
        this.waiting = waiting;
    }

    @Override
    public void listViews(ListViewsRequest request, StreamObserver<ListViewsResponse> out) {
        unary(out, () -> {
            ViewList list = queries.listViews(options(request.getMinPosition()));
            ListViewsResponse.Builder b = ListViewsResponse.newBuilder().setPosition(list.position().token())
                    .setFreshness(ProtoValues.freshness(list.freshness()));
            for (ViewDescription d : list.views()) {
                b.addViews(ProtoValues.viewInfo(d, false));
            }
            return b.build();
        });
    }

    @Override
    public void describeView(DescribeViewRequest request, StreamObserver<DescribeViewResponse> out) {
        unary(out, () -> {
            ReadOptions options = options(request.getMinPosition());
            CatalogEntry view = queries.view(request.getView(), options);
            ReadAnswer<ViewDescription> d = queries.describe(view, options);
            return DescribeViewResponse.newBuilder().setView(ProtoValues.viewInfo(d.value(), true))
                    .setPosition(d.position().token()).setFreshness(ProtoValues.freshness(d.freshness())).build();
        });
    }

    @Override
    public void get(GetRequest request, StreamObserver<GetResponse> out) {
        if (waiting != null && !request.getMinPosition().isEmpty()) {
            waiting.execute(Context.current().wrap(() -> answerGet(request, out)));
        } else {
            answerGet(request, out);
        }
    }

    private void answerGet(GetRequest request, StreamObserver<GetResponse> out) {
        unary(out, () -> {
            ReadOptions options = options(request.getMinPosition());
            CatalogEntry view = queries.view(request.getView(), options);
            Object[] key = Keys.fullKey(view, ProtoValues.typed(request.getKey().getValuesList(), "key"), "key");
            ReadAnswer<Object[]> r = queries.get(view, key, options);
            GetResponse.Builder b = GetResponse.newBuilder().setView(view.name()).setFound(r.value() != null)
                    .setPosition(r.position().token()).setFreshness(ProtoValues.freshness(r.freshness()));
            if (r.value() != null) {
                b.setRow(ProtoValues.row(view.schema().columns(), r.value()));
            }
            return b.build();
        });
    }

    @Override
    public void batchGet(BatchGetRequest request, StreamObserver<BatchGetResponse> out) {
        unary(out, () -> {
            ReadOptions options = options(request.getMinPosition());
            CatalogEntry view = queries.view(request.getView(), options);
            if (request.getKeysCount() > ViewQueries.MAX_LIMIT) {
                throw QueryException.invalid("keys", "at most " + ViewQueries.MAX_LIMIT + " keys per BatchGet, got "
                        + request.getKeysCount());
            }
            List<Object[]> keys = new ArrayList<>(request.getKeysCount());
            for (int i = 0; i < request.getKeysCount(); i++) {
                String field = "keys[" + i + "]";
                keys.add(Keys.fullKey(view, ProtoValues.typed(request.getKeys(i).getValuesList(), field), field));
            }
            ReadAnswer<List<Object[]>> r = queries.batchGet(view, keys, options);
            BatchGetResponse.Builder b = BatchGetResponse.newBuilder().setView(view.name())
                    .setPosition(r.position().token()).setFreshness(ProtoValues.freshness(r.freshness()));
            for (int i = 0; i < keys.size(); i++) {
                Object[] row = r.value().get(i);
                BatchGetResponse.Result.Builder item = b.addResultsBuilder()
                        .setKey(ProtoValues.key(view, keys.get(i))).setFound(row != null);
                if (row != null) {
                    item.setRow(ProtoValues.row(view.schema().columns(), row));
                }
            }
            return b.build();
        });
    }

    @Override
    public void scan(ScanRequest request, StreamObserver<ScanResponse> responseObserver) {
        ServerCallStreamObserver<ScanResponse> out = (ServerCallStreamObserver<ScanResponse>) responseObserver;
        ScanStream stream;
        try {
            ReadOptions options = options(request.getMinPosition());
            CatalogEntry view = queries.view(request.getView(), options);
            int batch = request.getBatchSize() == 0 ? DEFAULT_BATCH_SIZE
                    : ViewQueries.checkLimit(request.getBatchSize(), "batch_size");
            if (request.getLimit() < 0) {
                throw QueryException.invalid("limit", "limit must be 0 (all rows) or more, got " + request.getLimit());
            }
            KeyRange range = KeyRange.of(view, bound(view, request.hasFrom(), request.getFrom(), "from"),
                    bound(view, request.hasTo(), request.getTo(), "to"),
                    bound(view, request.hasPrefix(), request.getPrefix(), "prefix"), request.getCursor());
            stream = new ScanStream(out, view, range, batch, request.getLimit(), options);
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
            return;
        }
        out.setOnCancelHandler(stream::cancel);
        out.setOnReadyHandler(stream);
        stream.run();
    }

    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<SubscribeResponse> responseObserver) {
        ServerCallStreamObserver<SubscribeResponse> out = (ServerCallStreamObserver<SubscribeResponse>) responseObserver;
        try {
            if (changes == null) {
                throw QueryException.unavailable("this gateway has no state server in its process, so it cannot "
                        + "stream changes; subscribe through a gateway that runs with roles including state-server");
            }
            dev.statefront.state.server.ReadResult<CatalogEntry> view = changes.view(request.getView());
            if (!view.isOk()) {
                throw new QueryException(view.status() == dev.statefront.state.server.ReadStatus.NOT_FOUND
                        ? QueryException.Code.NOT_FOUND : QueryException.Code.UNAVAILABLE,
                        view.status().name(), view.message(), Map.of("view", request.getView()), List.of(), Map.of());
            }
            dev.statefront.state.server.ReadResult<ChangeSubscription> subscribed =
                    changes.subscribe(subscribeRequest(view.value(), request));
            if (!subscribed.isOk()) {
                throw new QueryException(switch (subscribed.status()) {
                    case NOT_FOUND -> QueryException.Code.NOT_FOUND;
                    case INVALID_ARGUMENT -> QueryException.Code.INVALID_ARGUMENT;
                    default -> QueryException.Code.UNAVAILABLE;
                }, subscribed.status().name(), subscribed.message(), Map.of("view", request.getView()), List.of(),
                        Map.of());
            }
            SubscribePump pump = new SubscribePump(out, view.value(), subscribed.value());
            out.setOnCancelHandler(pump::cancel);
            out.setOnReadyHandler(pump::ready);
            Thread t = new Thread(pump, "statefront-grpc-subscribe-" + request.getView());
            t.setDaemon(true);
            t.start();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
        }
    }

    /** The state server's request for a gRPC one: start point and key range (same meaning as scan bounds). */
    private static dev.statefront.state.server.SubscribeRequest subscribeRequest(CatalogEntry view,
                                                                                SubscribeRequest request) {
        dev.statefront.state.server.SubscribeRequest r = switch (request.getFromCase()) {
            case SNAPSHOT -> dev.statefront.state.server.SubscribeRequest.snapshot(view.name());
            case RESUME_TOKEN -> dev.statefront.state.server.SubscribeRequest.resume(view.name(),
                    request.getResumeToken());
            default -> dev.statefront.state.server.SubscribeRequest.now(view.name());
        };
        if (!request.hasFilter()) {
            return r;
        }
        KeyFilter f = request.getFilter();
        var types = view.schema().keyTypes();
        byte[] lower = f.hasFromKey() ? dev.statefront.core.KeyCodec.encodePrefix(types,
                bound(view, true, f.getFromKey(), "filter.from_key"), false) : null;
        byte[] upper = f.hasToKey() ? dev.statefront.core.KeyCodec.encodePrefix(types,
                bound(view, true, f.getToKey(), "filter.to_key"), false) : null;
        if (f.hasPrefix() && f.getPrefix().getValuesCount() > 0) {
            Object[] leading = bound(view, true, f.getPrefix(), "filter.prefix");
            boolean stringPrefix = types.get(leading.length - 1).kind() == dev.statefront.core.ColumnType.Kind.VARCHAR
                    && leading[leading.length - 1] != null;
            byte[] start = dev.statefront.core.KeyCodec.encodePrefix(types, leading, stringPrefix);
            byte[] end = dev.statefront.core.KeyCodec.prefixEnd(start);
            lower = lower == null || dev.statefront.core.KeyCodec.compare(start, lower) > 0 ? start : lower;
            upper = upper == null || (end != null && dev.statefront.core.KeyCodec.compare(end, upper) < 0) ? end : upper;
        }
        return lower == null && upper == null ? r : r.withKeyRange(lower, upper);
    }

    /**
     * Moves one subscription's events to its gRPC stream on a thread of its own, sending only while the client
     * is ready: a client that stops reading lets the subscription's bounded buffer overflow, which ends the
     * stream with RESOURCE_EXHAUSTED (resume with the last token) instead of buffering without bound.
     */
    private static final class SubscribePump implements Runnable {
        private static final Duration HEARTBEAT = Duration.ofSeconds(5);
        private final ServerCallStreamObserver<SubscribeResponse> out;
        private final CatalogEntry view;
        private final ChangeSubscription sub;
        private final Object readiness = new Object();
        private volatile boolean cancelled;
        private String lastPosition = "";
        private long snapshotRows;

        SubscribePump(ServerCallStreamObserver<SubscribeResponse> out, CatalogEntry view, ChangeSubscription sub) {
            this.out = out;
            this.view = view;
            this.sub = sub;
        }

        void cancel() {
            cancelled = true;
            sub.close();
            ready();
        }

        void ready() {
            synchronized (readiness) {
                readiness.notifyAll();
            }
        }

        @Override
        public void run() {
            try {
                while (!cancelled) {
                    SubscriptionEvent e = sub.poll(HEARTBEAT);
                    if (cancelled) {
                        return;
                    }
                    if (e == null) {
                        String token = sub.resumeToken();
                        send(SubscribeResponse.newBuilder().setHeartbeat(Heartbeat.newBuilder()
                                .setToken(token == null ? "" : token).setPosition(lastPosition)).build());
                        continue;
                    }
                    switch (e.type()) {
                        case SNAPSHOT_ROW, CHANGE -> {
                            if (e.type() == SubscriptionEvent.Type.SNAPSHOT_ROW) {
                                snapshotRows++;
                            }
                            send(SubscribeResponse.newBuilder().setChange(change(e)).build());
                        }
                        case SNAPSHOT_COMPLETE -> {
                            lastPosition = e.position().token();
                            send(SubscribeResponse.newBuilder().setSnapshotComplete(SnapshotComplete.newBuilder()
                                    .setToken(e.token() == null ? "" : e.token()).setPosition(lastPosition)
                                    .setRows(snapshotRows)).build());
                        }
                        case END -> {
                            end(e.end());
                            return;
                        }
                        default -> throw new IllegalStateException("unknown event " + e.type());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                if (!cancelled) {
                    out.onError(GrpcErrors.toStatus(e));
                }
            } finally {
                sub.close();
            }
        }

        private dev.statefront.proto.v1.ChangeEvent change(SubscriptionEvent e) {
            var columns = view.schema().columns();
            var b = dev.statefront.proto.v1.ChangeEvent.newBuilder()
                    .setOp(switch (e.op()) {
                        case CREATE -> dev.statefront.proto.v1.ChangeEvent.Op.OP_CREATE;
                        case UPDATE -> dev.statefront.proto.v1.ChangeEvent.Op.OP_UPDATE;
                        case DELETE -> dev.statefront.proto.v1.ChangeEvent.Op.OP_DELETE;
                        case READ -> dev.statefront.proto.v1.ChangeEvent.Op.OP_SNAPSHOT;
                    })
                    .setKey(ProtoValues.key(view, e.key()))
                    .setPartition(Math.max(0, e.partition()));
            if (e.before() != null) {
                b.setBefore(ProtoValues.row(columns, e.before()));
            }
            if (e.after() != null) {
                b.setAfter(ProtoValues.row(columns, e.after()));
            }
            if (e.token() != null) {
                b.setToken(e.token());
            }
            if (e.position() != null && !e.position().isEmpty()) {
                lastPosition = e.position().token();
                b.setPosition(lastPosition);
            }
            if (e.tsMs() > 0) {
                b.setTs(ProtoValues.timestamp(e.tsMs()));
            }
            return b.build();
        }

        private void send(SubscribeResponse response) throws InterruptedException {
            synchronized (readiness) {
                while (!out.isReady() && !cancelled) {
                    readiness.wait(100);
                }
            }
            if (!cancelled) {
                out.onNext(response);
            }
        }

        private void end(SubscriptionEnd end) {
            if (cancelled) {
                return;
            }
            String token = sub.resumeToken();
            String message = end.message() + (token == null ? "" : "; resume with resume_token " + token);
            Status status = switch (end.reason()) {
                case OVERFLOW -> Status.RESOURCE_EXHAUSTED;
                case VIEW_DROPPED -> Status.NOT_FOUND;
                case CLOSED, SERVER_STOPPING, FAILED -> Status.UNAVAILABLE;
            };
            out.onError(status.withDescription("change stream of view '" + view.name() + "' ended ("
                    + end.reason() + "): " + message).asRuntimeException());
        }
    }

    /**
     * Streams a scan in batches as the client is ready for them: each batch is a page read through the shared
     * path, and later pages ask for at least the position of the earlier ones.
     */
    private final class ScanStream implements Runnable {
        private final ServerCallStreamObserver<ScanResponse> out;
        private final CatalogEntry view;
        private final int batch;
        private final long limit;
        private KeyRange range;
        private ReadOptions options;
        private long sent;
        private boolean done;

        ScanStream(ServerCallStreamObserver<ScanResponse> out, CatalogEntry view, KeyRange range, int batch,
                   long limit, ReadOptions options) {
            this.out = out;
            this.view = view;
            this.range = range;
            this.batch = batch;
            this.limit = limit;
            this.options = options;
        }

        synchronized void cancel() {
            done = true;
        }

        @Override
        public synchronized void run() {
            try {
                while (!done && out.isReady()) {
                    int n = limit == 0 ? batch : (int) Math.min(batch, limit - sent);
                    ScanPage page = queries.scan(view, range, n, options);
                    sent += page.rows().size();
                    boolean last = page.nextCursor() == null || (limit > 0 && sent >= limit);
                    ScanResponse.Builder b = ScanResponse.newBuilder().setView(view.name())
                            .setPosition(page.position().token())
                            .setFreshness(ProtoValues.freshness(page.freshness()));
                    if (page.nextCursor() != null) {
                        b.setNextCursor(page.nextCursor());
                    }
                    for (ViewRow row : page.rows()) {
                        b.addRows(ProtoValues.row(view.schema().columns(), row.row()));
                    }
                    out.onNext(b.build());
                    if (last) {
                        done = true;
                        out.onCompleted();
                        return;
                    }
                    range = range.from(Keys.cursor(view, page.nextCursor()));
                    options = options.withMinPosition(options.minPosition().merge(page.position()));
                }
            } catch (RuntimeException e) {
                done = true;
                out.onError(GrpcErrors.toStatus(e));
            }
        }
    }

    private static Object[] bound(CatalogEntry view, boolean present, Key key, String field) {
        if (!present) {
            return null;
        }
        return Keys.leadingKey(view, ProtoValues.typed(key.getValuesList(), field), field);
    }

    /** The read options of a request: its min_position, waiting within the call's deadline. */
    private ReadOptions options(String minPosition) {
        Duration wait = null;
        Deadline deadline = Context.current().getDeadline();
        if (deadline != null && minPosition != null && !minPosition.isEmpty()) {
            long remaining = deadline.timeRemaining(TimeUnit.MILLISECONDS);
            long margin = Math.max(MIN_MARGIN_MS, remaining / 5); // room to answer before the caller gives up
            wait = Duration.ofMillis(Math.max(0, Math.min(remaining - margin, queries.defaultWait().toMillis())));
        }
        return queries.readOptions(minPosition, wait);
    }

    private static <T> void unary(StreamObserver<T> out, Supplier<T> answer) {
        T response;
        try {
            response = answer.get();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
            return;
        }
        out.onNext(response);
        out.onCompleted();
    }
}
