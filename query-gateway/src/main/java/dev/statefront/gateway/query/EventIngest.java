package dev.statefront.gateway.query;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Position;
import dev.statefront.ingest.EventProducer;
import dev.statefront.ingest.EventSink;
import dev.statefront.ingest.EventValidationException;
import dev.statefront.ingest.EventViolation;
import dev.statefront.ingest.IngestException;
import dev.statefront.ingest.ProduceResult;
import java.util.List;
import java.util.Objects;

/**
 * Writing events into a source topic, once, for all transports: the source is resolved through the catalog, the
 * whole batch is validated against its columns before anything is written, then produced. Thread-safe.
 */
public final class EventIngest {
    private final ViewQueries queries;
    private final EventSink events;

    /**
     * @param queries resolves sources through the catalog
     * @param events where valid events go
     */
    public EventIngest(ViewQueries queries, EventSink events) {
        this.queries = Objects.requireNonNull(queries, "queries");
        this.events = Objects.requireNonNull(events, "events");
    }

    /**
     * Validates and writes a batch of JSON events.
     *
     * @throws QueryException NOT_FOUND for an unknown source, INVALID_ARGUMENT with one violation per bad event
     *     (field {@code events[i]}), UNAVAILABLE when the events cannot be written
     */
    public ProduceResult produce(String sourceName, List<JsonNode> batch) {
        CatalogEntry source = queries.source(sourceName);
        List<EventViolation> violations = EventProducer.validate(source, batch);
        if (!violations.isEmpty()) {
            throw invalid(new EventValidationException(source.name(), violations));
        }
        if (batch.isEmpty()) {
            return new ProduceResult(source.name(), source.topic(), List.of(), Position.EMPTY);
        }
        try {
            return events.produce(source, batch);
        } catch (EventValidationException e) {
            throw invalid(e);
        } catch (IngestException e) {
            throw QueryException.unavailable(e.getMessage());
        }
    }

    private static QueryException invalid(EventValidationException e) {
        List<QueryException.FieldViolation> v = e.violations().stream()
                .map(x -> new QueryException.FieldViolation("events[" + x.index() + "]", x.reason())).toList();
        return QueryException.invalid(e.getMessage(), v);
    }
}
