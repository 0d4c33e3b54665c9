package dev.statefront.state.internals;

import dev.statefront.core.CatalogEntry;
import dev.statefront.core.ChangeEventCodec;
import dev.statefront.core.ColumnType;
import dev.statefront.core.Column;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A view known from the catalog, with the applied state of its partitions. The partition array is replaced
 * element-wise under the {@link Materializer}'s lock and read under it.
 */
final class ViewState {
    final CatalogEntry entry;
    final List<ColumnType> keyTypes;
    final List<Column> columns;
    final ChangeEventCodec codec;
    final PartitionMeta[] partitions;
    /**
     * Per partition: {@link System#nanoTime} of the last hand-over from a processor in this process that was taken
     * there; 0 if none, or once one was refused or lost (see {@link Materializer#handedOverWithin}).
     */
    final AtomicLongArray handedOverAt;

    ViewState(String appId, CatalogEntry entry, PartitionMeta[] partitions) {
        this.entry = entry;
        this.keyTypes = entry.schema().keyTypes();
        this.columns = entry.schema().columns();
        this.codec = new ChangeEventCodec(appId, entry.schema());
        int n = Math.max(1, entry.partitions());
        this.partitions = Arrays.copyOf(partitions, n);
        this.handedOverAt = new AtomicLongArray(n);
        for (int i = 0; i < n; i++) {
            if (this.partitions[i] == null) {
                this.partitions[i] = PartitionMeta.INITIAL;
            }
        }
    }

    String name() {
        return entry.name();
    }

    int partitionCount() {
        return partitions.length;
    }
}
