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
import dev.statefront.proto.v1.Key;
import dev.statefront.proto.v1.ListViewsRequest;
import dev.statefront.proto.v1.ListViewsResponse;
import dev.statefront.proto.v1.QueryServiceGrpc;
import dev.statefront.proto.v1.ScanRequest;
import dev.statefront.proto.v1.ScanResponse;
import dev.statefront.proto.v1.SubscribeRequest;
import dev.statefront.proto.v1.SubscribeResponse;
import dev.statefront.state.server.ReadOptions;
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
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code statefront.v1.QueryService}: translates requests to the shared {@link ViewQueries} path and answers back;
 * failures go through {@link GrpcErrors}. A read with {@code min_position} waits within the call's deadline (less a
 * small margin to answer in time), or the default wait when the call has none.
 */
public final class QueryGrpcService extends QueryServiceGrpc.QueryServiceImplBase {
    /** Rows per Scan message unless the request says otherwise. */
    public static final int DEFAULT_BATCH_SIZE = 500;
    private static final long MIN_MARGIN_MS = 50;

    private final ViewQueries queries;

    /** A service over the shared query path. */
    public QueryGrpcService(ViewQueries queries) {
        this.queries = Objects.requireNonNull(queries, "queries");
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
    public void subscribe(SubscribeRequest request, StreamObserver<SubscribeResponse> out) {
        out.onError(Status.UNIMPLEMENTED.withDescription("QueryService.Subscribe is defined in statefront.v1 but "
                + "not served by this gateway yet; use GET /v1/views/" + request.getView() + "/changes over REST")
                .asRuntimeException());
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
