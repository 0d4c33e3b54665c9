package dev.statefront.state.server;

import dev.statefront.core.CatalogEntry;
import java.util.List;

/**
 * A view as served: its catalog entry, its exact row count and the state of each served partition.
 *
 * @param entry the catalog entry (schema, key columns, SQL, topic, partition count)
 * @param rowCount rows over the served partitions
 * @param partitions the served partitions, by partition number
 */
public record ViewDescription(CatalogEntry entry, long rowCount, List<PartitionStatus> partitions) {
    public ViewDescription {
        partitions = List.copyOf(partitions);
    }
}
