package dev.statefront.state.server;

import dev.statefront.core.Position;
import java.util.Map;
import java.util.Objects;

/**
 * The answer to a read: a status, and for {@link ReadStatus#OK} the value with the position and freshness it
 * reflects. Expected failures are values, not exceptions.
 *
 * @param status the outcome
 * @param value the value for OK (may be null, e.g. for a key without a row); null otherwise
 * @param position the served position of the involved partitions (for NOT_UP_TO_POSITION, what was reached)
 * @param freshness how current the answer is
 * @param message what went wrong and what to do, for a non-OK status; null for OK
 * @param missing for NOT_UP_TO_POSITION, per {@code topic/partition} how many offsets the answer is behind
 * @param <T> the value type
 */
public record ReadResult<T>(ReadStatus status, T value, Position position, Freshness freshness, String message,
                            Map<String, Long> missing) {

    public ReadResult {
        Objects.requireNonNull(status, "status");
        position = position == null ? Position.EMPTY : position;
        freshness = freshness == null ? Freshness.UNKNOWN : freshness;
        missing = missing == null ? Map.of() : Map.copyOf(missing);
    }

    /** An answer. */
    public static <T> ReadResult<T> ok(T value, Position position, Freshness freshness) {
        return new ReadResult<>(ReadStatus.OK, value, position, freshness, null, Map.of());
    }

    /** A failure without a value. */
    public static <T> ReadResult<T> failure(ReadStatus status, String message) {
        if (status == ReadStatus.OK) {
            throw new IllegalArgumentException("a failure cannot have status OK");
        }
        return new ReadResult<>(status, null, Position.EMPTY, Freshness.UNKNOWN, message, Map.of());
    }

    /** The served position did not reach the requested one. */
    public static <T> ReadResult<T> notUpToPosition(String message, Map<String, Long> missing, Position reached,
                                                    Freshness freshness) {
        return new ReadResult<>(ReadStatus.NOT_UP_TO_POSITION, null, reached, freshness, message, missing);
    }

    /** True for {@link ReadStatus#OK}. */
    public boolean isOk() {
        return status == ReadStatus.OK;
    }

    /** This failure as a result of another value type. */
    @SuppressWarnings("unchecked")
    public <U> ReadResult<U> castFailure() {
        if (isOk()) {
            throw new IllegalStateException("cannot cast an OK result");
        }
        return (ReadResult<U>) this;
    }
}
