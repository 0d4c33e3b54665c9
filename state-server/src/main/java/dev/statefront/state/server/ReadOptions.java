package dev.statefront.state.server;

import dev.statefront.core.Position;
import java.time.Duration;
import java.util.Objects;

/**
 * How a read is to be answered: at least at {@code minPosition}, waiting up to {@code wait} for it.
 *
 * @param minPosition the position the answer must reflect; {@link Position#EMPTY} for any
 * @param waitTimeout how long to wait for it (capped by {@link StateServerConfig#maxWait()}); zero answers at once
 */
public record ReadOptions(Position minPosition, Duration waitTimeout) {
    /** Answer with whatever is served now. */
    public static final ReadOptions NOW = new ReadOptions(Position.EMPTY, Duration.ZERO);

    public ReadOptions {
        minPosition = minPosition == null ? Position.EMPTY : minPosition;
        waitTimeout = waitTimeout == null || waitTimeout.isNegative() ? Duration.ZERO : waitTimeout;
    }

    /** These options with another minimum position (null for none). */
    public ReadOptions withMinPosition(Position position) {
        return new ReadOptions(position, waitTimeout);
    }

    /** These options with another wait. */
    public ReadOptions withWaitTimeout(Duration newWait) {
        return new ReadOptions(minPosition, Objects.requireNonNullElse(newWait, Duration.ZERO));
    }
}
