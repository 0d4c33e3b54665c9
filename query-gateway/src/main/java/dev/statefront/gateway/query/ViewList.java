package dev.statefront.gateway.query;

import dev.statefront.core.Position;
import dev.statefront.state.server.Freshness;
import dev.statefront.state.server.ViewDescription;
import java.util.List;

/**
 * The views of the catalog with their row counts.
 *
 * @param views by name
 * @param position the merged position of all of them
 * @param freshness the stalest of them
 */
public record ViewList(List<ViewDescription> views, Position position, Freshness freshness) {
    public ViewList {
        views = List.copyOf(views);
    }
}
