package dev.statefront.gateway.query;

import dev.statefront.core.Position;
import dev.statefront.state.server.Freshness;

/**
 * An answered read: the value with the position and freshness it reflects.
 *
 * @param value the value; may be null (a key without a row)
 * @param position the source position the answer reflects; never null
 * @param freshness how current it is; never null
 * @param <T> the value type
 */
public record ReadAnswer<T>(T value, Position position, Freshness freshness) {
    public ReadAnswer {
        position = position == null ? Position.EMPTY : position;
        freshness = freshness == null ? Freshness.UNKNOWN : freshness;
    }
}
