package dev.statefront.ingest;

import dev.statefront.core.Position;
import java.util.List;

/**
 * What a produce call wrote.
 *
 * @param source the source name
 * @param topic the source topic
 * @param offsets per event, in request order, where it was written
 * @param position offset + 1 of the last event per partition: pass it as {@code min_position} to read your writes
 */
public record ProduceResult(String source, String topic, List<RecordOffset> offsets, Position position) {
    public ProduceResult {
        offsets = List.copyOf(offsets);
    }
}
