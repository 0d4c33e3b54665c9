package dev.statefront.gateway.query;

import dev.statefront.core.Position;
import dev.statefront.state.server.Freshness;
import dev.statefront.state.server.ViewRow;
import java.util.List;

/**
 * One page of a scan.
 *
 * @param rows at most the asked number of rows, in key order
 * @param nextCursor where the next page starts; null when the range is exhausted
 * @param position the position the page reflects
 * @param freshness how current it is
 */
public record ScanPage(List<ViewRow> rows, String nextCursor, Position position, Freshness freshness) {
    public ScanPage {
        rows = List.copyOf(rows);
    }
}
