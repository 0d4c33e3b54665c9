package dev.statefront.state.grpc;

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
import dev.statefront.state.server.PartitionStatus;
import dev.statefront.state.server.ReadOptions;
import dev.statefront.state.server.ReadResult;
import dev.statefront.state.server.ReadStatus;
import dev.statefront.state.server.ServerState;
import dev.statefront.state.server.StateServer;
import dev.statefront.state.server.ViewDescription;
import dev.statefront.state.server.ViewRow;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The internal {@code ReplicaService} over a {@link StateServer}: keys arrive and rows leave in core's key and row
 * encodings, expected read outcomes travel as {@code ReadOutcome} values with gRPC status OK. A key that does not
 * decode with the view's key types is an {@code INVALID_ARGUMENT} outcome naming the view and its key. Keys and rows
 * are wrapped, not copied, into the messages: the arrays are fresh per call and never written again.
 */
public final class ReplicaService extends ReplicaServiceGrpc.ReplicaServiceImplBase {
    private final StateServer server;

    /** A service reading from a state server (started or not: reads answer UNAVAILABLE until it runs). */
    public ReplicaService(StateServer server) {
        this.server = Objects.requireNonNull(server, "server");
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> out) {
        ServerState state = server.state();
        StatusResponse.Builder b = StatusResponse.newBuilder().setState(state.name())
                .setServing(state == ServerState.RUNNING).setAppId(server.config().appId());
        ReadResult<List<CatalogEntry>> views = server.views();
        if (views.isOk()) {
            for (CatalogEntry e : views.value()) {
                b.addServedBuilder().setView(e.name()).addAllPartitions(server.servedPartitions(e.name()));
                b.addViewEntries(ByteString.copyFrom(e.toJson()));
            }
        }
        complete(out, b.build());
    }

    @Override
    public void catalog(CatalogRequest request, StreamObserver<CatalogResponse> out) {
        boolean sources = request.getKind() == CatalogRequest.Kind.SOURCE;
        String name = request.getName();
        CatalogResponse.Builder b = CatalogResponse.newBuilder();
        if (name.isEmpty()) {
            ReadResult<List<CatalogEntry>> r = sources ? server.sources() : server.views();
            b.setOutcome(outcome(r));
            if (r.isOk()) {
                r.value().forEach(e -> b.addEntries(ByteString.copyFrom(e.toJson())));
            }
        } else {
            ReadResult<CatalogEntry> r = sources ? server.source(name) : server.view(name);
            b.setOutcome(outcome(r));
            if (r.isOk()) {
                b.addEntries(ByteString.copyFrom(r.value().toJson()));
            }
        }
        complete(out, b.build());
    }

    @Override
    public void describe(DescribeRequest request, StreamObserver<DescribeResponse> out) {
        ReadResult<ViewDescription> r = server.describe(request.getView(), options(request.getConsistency()));
        DescribeResponse.Builder b = DescribeResponse.newBuilder().setOutcome(outcome(r));
        if (r.isOk()) {
            ViewDescription d = r.value();
            b.setEntry(ByteString.copyFrom(d.entry().toJson())).setRowCount(d.rowCount());
            for (PartitionStatus s : d.partitions()) {
                b.addPartitionsBuilder().setPartition(s.partition()).setNextOffset(s.nextOffset())
                        .setPosition(s.position().token()).setAsOfMs(s.asOfMs()).setRowCount(s.rowCount());
            }
        }
        complete(out, b.build());
    }

    @Override
    public void get(GetRequest request, StreamObserver<GetResponse> out) {
        complete(out, answer(request));
    }

    @Override
    public StreamObserver<GetRequest> getStream(StreamObserver<GetResponse> out) {
        return new StreamObserver<>() {
            @Override
            public void onNext(GetRequest request) {
                out.onNext(answer(request));
            }

            @Override
            public void onError(Throwable t) {
                // the gateway cancelled the stream: nothing to answer
            }

            @Override
            public void onCompleted() {
                out.onCompleted();
            }
        };
    }

    private GetResponse answer(GetRequest request) {
        ReadOptions options = options(request.getConsistency());
        CatalogEntry view = viewOrNull(request.getView());
        if (view == null) {
            return GetResponse.newBuilder().setOutcome(outcome(server.view(request.getView()))).build();
        }
        Object[] key;
        try {
            key = KeyCodec.decode(view.schema().keyTypes(), request.getKey().toByteArray());
        } catch (IllegalArgumentException e) {
            return GetResponse.newBuilder().setOutcome(badKey(view, e)).build();
        }
        ReadResult<Object[]> r = server.get(view.name(), key, options);
        GetResponse.Builder b = GetResponse.newBuilder().setOutcome(outcome(r));
        if (r.isOk() && r.value() != null) {
            b.setFound(true).setRow(encodedRow(view, r.value()));
        }
        return b.build();
    }

    @Override
    public void batchGet(BatchGetRequest request, StreamObserver<BatchGetResponse> out) {
        ReadOptions options = options(request.getConsistency());
        CatalogEntry view = viewOrNull(request.getView());
        if (view == null) {
            complete(out, BatchGetResponse.newBuilder().setOutcome(outcome(server.view(request.getView()))).build());
            return;
        }
        List<ColumnType> types = view.schema().keyTypes();
        List<Object[]> keys = new ArrayList<>(request.getKeysCount());
        try {
            for (ByteString k : request.getKeysList()) {
                keys.add(KeyCodec.decode(types, k.toByteArray()));
            }
        } catch (IllegalArgumentException e) {
            complete(out, BatchGetResponse.newBuilder().setOutcome(badKey(view, e)).build());
            return;
        }
        ReadResult<List<Object[]>> r = server.batchGet(view.name(), keys, options);
        BatchGetResponse.Builder b = BatchGetResponse.newBuilder().setOutcome(outcome(r));
        if (r.isOk()) {
            for (Object[] row : r.value()) {
                BatchGetResponse.Item.Builder item = b.addItemsBuilder();
                if (row != null) {
                    item.setFound(true).setRow(encodedRow(view, row));
                }
            }
        }
        complete(out, b.build());
    }

    @Override
    public void scan(ScanRequest request, StreamObserver<ScanResponse> out) {
        ReadOptions options = options(request.getConsistency());
        CatalogEntry view = viewOrNull(request.getView());
        if (view == null) {
            complete(out, ScanResponse.newBuilder().setOutcome(outcome(server.view(request.getView()))).build());
            return;
        }
        if (request.getLimit() < 1) {
            complete(out, ScanResponse.newBuilder().setOutcome(ReadOutcome.newBuilder()
                    .setStatus(dev.statefront.proto.internal.v1.ReadStatus.INVALID_ARGUMENT)
                    .setMessage("scan of view '" + view.name() + "' needs a limit of at least 1, got "
                            + request.getLimit())).build());
            return;
        }
        Set<Integer> partitions = request.getAllPartitions() ? null : new TreeSet<>(request.getPartitionsList());
        ReadResult<List<ViewRow>> r = server.scan(view.name(),
                request.hasFrom() ? request.getFrom().toByteArray() : null,
                request.hasTo() ? request.getTo().toByteArray() : null, request.getLimit(), partitions, options);
        ScanResponse.Builder b = ScanResponse.newBuilder().setOutcome(outcome(r));
        if (r.isOk()) {
            for (ViewRow row : r.value()) {
                b.addRowsBuilder().setKey(UnsafeByteOperations.unsafeWrap(row.key()))
                        .setRow(encodedRow(view, row.row()));
            }
        }
        complete(out, b.build());
    }

    // ------------------------------------------------------------------ conversions

    private CatalogEntry viewOrNull(String name) {
        ReadResult<CatalogEntry> r = server.view(name);
        return r.isOk() ? r.value() : null;
    }

    /** A row in core's row encoding, wrapped without a copy. */
    private static ByteString encodedRow(CatalogEntry view, Object[] row) {
        return UnsafeByteOperations.unsafeWrap(RowCodec.encode(view.schema().columns(), row));
    }

    private static ReadOptions options(ReadConsistency c) {
        Position min = Position.EMPTY;
        if (!c.getMinPosition().isEmpty()) {
            // the gateway sends tokens it parsed itself; a bad one here is a bug, answered as INVALID_ARGUMENT
            min = Position.fromToken(c.getMinPosition());
        }
        return new ReadOptions(min, Duration.ofMillis(Math.max(0, c.getWaitMs())));
    }

    private static ReadOutcome badKey(CatalogEntry view, IllegalArgumentException e) {
        return ReadOutcome.newBuilder().setStatus(dev.statefront.proto.internal.v1.ReadStatus.INVALID_ARGUMENT)
                .setMessage("key does not decode as view '" + view.name() + "' key " + view.schema().keyColumnNames()
                        + " " + view.schema().keyTypes() + ": " + e.getMessage()
                        + " (was the view redefined while the gateway routed the read?)")
                .build();
    }

    /** The outcome of a read result, in the wire form. */
    static ReadOutcome outcome(ReadResult<?> r) {
        ReadOutcome.Builder b = ReadOutcome.newBuilder().setStatus(status(r.status()))
                .setPosition(r.position().token())
                .setAsOfMs(r.freshness().asOfMs()).setLagMs(r.freshness().lagMs())
                .putAllMissing(r.missing());
        if (r.message() != null) {
            b.setMessage(r.message());
        }
        return b.build();
    }

    private static dev.statefront.proto.internal.v1.ReadStatus status(ReadStatus s) {
        return switch (s) {
            case OK -> dev.statefront.proto.internal.v1.ReadStatus.OK;
            case NOT_FOUND -> dev.statefront.proto.internal.v1.ReadStatus.NOT_FOUND;
            case INVALID_ARGUMENT -> dev.statefront.proto.internal.v1.ReadStatus.INVALID_ARGUMENT;
            case NOT_UP_TO_POSITION -> dev.statefront.proto.internal.v1.ReadStatus.NOT_UP_TO_POSITION;
            case UNAVAILABLE -> dev.statefront.proto.internal.v1.ReadStatus.UNAVAILABLE;
        };
    }

    private static <T> void complete(StreamObserver<T> out, T response) {
        out.onNext(response);
        out.onCompleted();
    }
}
