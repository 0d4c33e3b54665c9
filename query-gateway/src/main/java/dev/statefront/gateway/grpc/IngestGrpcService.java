package dev.statefront.gateway.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Column;
import dev.statefront.core.Json;
import dev.statefront.core.JsonValues;
import dev.statefront.gateway.query.EventIngest;
import dev.statefront.gateway.query.Keys;
import dev.statefront.gateway.query.QueryException;
import dev.statefront.gateway.query.ViewQueries;
import dev.statefront.ingest.ProduceResult;
import dev.statefront.ingest.RecordOffset;
import dev.statefront.proto.v1.Event;
import dev.statefront.proto.v1.IngestServiceGrpc;
import dev.statefront.proto.v1.ProduceRequest;
import dev.statefront.proto.v1.ProduceResponse;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code statefront.v1.IngestService}: JSON or typed events turned into the JSON events of the shared
 * {@link EventIngest} path (the same validation and producer as REST ingest).
 */
public final class IngestGrpcService extends IngestServiceGrpc.IngestServiceImplBase {
    private final ViewQueries queries;
    private final EventIngest ingest;

    /** A service over the shared ingest path. */
    public IngestGrpcService(ViewQueries queries, EventIngest ingest) {
        this.queries = Objects.requireNonNull(queries, "queries");
        this.ingest = Objects.requireNonNull(ingest, "ingest");
    }

    @Override
    public void produce(ProduceRequest request, StreamObserver<ProduceResponse> out) {
        ProduceResponse response;
        try {
            CatalogEntry source = queries.source(request.getSource());
            List<JsonNode> events = new ArrayList<>(request.getEventsCount());
            for (int i = 0; i < request.getEventsCount(); i++) {
                events.add(json(source, request.getEvents(i), "events[" + i + "]"));
            }
            ProduceResult r = ingest.produce(source.name(), events);
            ProduceResponse.Builder b = ProduceResponse.newBuilder().setSource(r.source())
                    .setWritten(r.offsets().size()).setPosition(r.position().token());
            for (RecordOffset o : r.offsets()) {
                b.addOffsetsBuilder().setPartition(o.partition()).setOffset(o.offset());
            }
            response = b.build();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.toStatus(e));
            return;
        }
        out.onNext(response);
        out.onCompleted();
    }

    private static JsonNode json(CatalogEntry source, Event e, String field) {
        switch (e.getPayloadCase()) {
            case JSON:
                try {
                    return Json.mapper().readTree(e.getJson());
                } catch (IOException x) {
                    throw QueryException.invalid(field, field + ": json is not valid JSON: " + x.getMessage());
                }
            case ROW: {
                List<Column> cols = source.schema().columns();
                if (e.getRow().getValuesCount() != cols.size()) {
                    throw QueryException.invalid(field, field + ": source '" + source.name() + "' has "
                            + cols.size() + " columns (" + source.schema().columnNames() + "), the row has "
                            + e.getRow().getValuesCount() + " values");
                }
                ObjectNode node = Json.mapper().createObjectNode();
                for (int i = 0; i < cols.size(); i++) {
                    Column c = cols.get(i);
                    Object v = Keys.coerce(source, c, ProtoValues.typed(e.getRow().getValues(i), field), field);
                    node.set(c.name(), JsonValues.toJson(v, c.type()));
                }
                return node;
            }
            default:
                throw QueryException.invalid(field, field + ": set json or row");
        }
    }
}
