package dev.statefront.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statefront.core.CatalogEntry;
import java.util.List;

/** Where ingested events go: Kafka through {@link EventProducer}, or something else in tests and embeddings. */
public interface EventSink {
    /**
     * Validates and writes events to a source, returning where they landed.
     *
     * @throws EventValidationException if any event is bad; nothing is then written
     * @throws IngestException if the events cannot be written
     */
    ProduceResult produce(CatalogEntry source, List<JsonNode> events);
}
