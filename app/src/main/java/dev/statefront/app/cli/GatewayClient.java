package dev.statefront.app.cli;

import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.core.DecodeException;
import dev.statefront.core.JsonValues;
import dev.statefront.core.Schema;
import dev.statefront.gateway.grpc.ProtoValues;
import dev.statefront.proto.v1.DescribeViewRequest;
import dev.statefront.proto.v1.Key;
import dev.statefront.proto.v1.QueryServiceGrpc;
import dev.statefront.proto.v1.ViewInfo;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A connection to a gateway's gRPC API; every call gets the options' deadline. */
final class GatewayClient implements AutoCloseable {
    private final ClientOptions options;
    private final ManagedChannel channel;
    private final QueryServiceGrpc.QueryServiceBlockingStub stub;

    GatewayClient(ClientOptions options) {
        this.options = options;
        this.channel = NettyChannelBuilder.forTarget(options.target).usePlaintext().build();
        this.stub = QueryServiceGrpc.newBlockingStub(channel);
    }

    /** The stub with a fresh deadline: use one per call. */
    QueryServiceGrpc.QueryServiceBlockingStub stub() {
        return stub.withDeadlineAfter(options.timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** A view's schema (one DescribeView call), to type the key values given as text. */
    ViewInfo describe(String view) {
        try {
            return stub().describeView(DescribeViewRequest.newBuilder().setView(view).build()).getView();
        } catch (StatusRuntimeException e) {
            throw failure(e);
        }
    }

    /** The catalog-entry form of a view description, for core's value codecs. */
    static CatalogEntry entry(ViewInfo v) {
        List<Column> cols = new ArrayList<>();
        v.getColumnsList().forEach(c -> cols.add(new Column(c.getName(), ColumnType.parse(c.getType().getSql()))));
        return new CatalogEntry(CatalogEntry.Kind.VIEW, v.getName(), v.getSql(), Schema.of(cols, v.getKeyColumnsList()),
                v.getTopic(), v.getPartitions(), v.getSourcesList(), Map.of());
    }

    /** Leading key values typed from text, as a {@link Key}. */
    static Key key(CatalogEntry view, List<String> texts, String what) {
        Schema s = view.schema();
        if (texts.size() > s.keySize()) {
            throw new ClientException(what + ": view '" + view.name() + "' has key " + s.keyColumnNames() + ", got "
                    + texts.size() + " values " + texts, null);
        }
        Key.Builder k = Key.newBuilder();
        for (int i = 0; i < texts.size(); i++) {
            Column c = s.column(s.keyIndex(i));
            try {
                k.addValues(ProtoValues.value(JsonValues.fromText(texts.get(i), c), c.type()));
            } catch (DecodeException e) {
                throw new ClientException(what + ": " + e.getMessage(), e);
            }
        }
        return k.build();
    }

    /** The exception that reports a failed call, with the gateway's status and message. */
    ClientException failure(StatusRuntimeException e) {
        String what = switch (e.getStatus().getCode()) {
            case UNAVAILABLE -> "cannot reach a serving gateway at " + options.target + " (" + e.getStatus()
                    .getDescription() + ")";
            case DEADLINE_EXCEEDED -> "no answer from " + options.target + " within " + options.timeoutMs
                    + " ms (--timeout-ms)";
            default -> e.getStatus().getCode() + ": " + e.getStatus().getDescription();
        };
        return new ClientException(what, e);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
