package dev.statefront.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statefront.core.CatalogEntry;
import dev.statefront.ingest.EventProducer;
import dev.statefront.ingest.EventSink;
import dev.statefront.ingest.IngestException;
import dev.statefront.ingest.ProduceResult;
import java.util.List;

/** Produces to Kafka through an {@link EventProducer} created on first use, so a gateway starts without a broker. */
final class KafkaEventSink implements EventSink, AutoCloseable {
    private final GatewayConfig config;
    private EventProducer producer;
    private boolean closed;

    KafkaEventSink(GatewayConfig config) {
        this.config = config;
    }

    @Override
    public ProduceResult produce(CatalogEntry source, List<JsonNode> events) {
        return producer(source).produce(source, events);
    }

    private synchronized EventProducer producer(CatalogEntry source) {
        if (closed) {
            throw new IngestException("the gateway is closing; events of source '" + source.name() + "' not written",
                    null);
        }
        if (producer == null) {
            if (config.bootstrapServers() == null || config.bootstrapServers().isBlank()) {
                throw new IngestException("ingest is disabled: the gateway of app '" + config.appId()
                        + "' has no Kafka bootstrap servers", null);
            }
            try {
                producer = new EventProducer(config.bootstrapServers(), config.appId() + "-ingest",
                        config.producerOverrides());
            } catch (RuntimeException e) {
                throw new IngestException("cannot create the ingest producer for " + config.bootstrapServers() + ": "
                        + e.getMessage(), e);
            }
        }
        return producer;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (producer != null) {
            producer.close();
        }
    }
}
