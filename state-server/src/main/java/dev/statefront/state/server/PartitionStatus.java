package dev.statefront.state.server;

import dev.statefront.core.Position;

/**
 * What a state server has applied of one view partition.
 *
 * @param partition the view partition
 * @param nextOffset the next change-topic offset to apply
 * @param position the source position served (from the last progress marker applied)
 * @param asOfMs the instant the partition is complete as of; -1 before the first marker
 * @param rowCount the rows of this partition
 */
public record PartitionStatus(int partition, long nextOffset, Position position, long asOfMs, long rowCount) {
}
