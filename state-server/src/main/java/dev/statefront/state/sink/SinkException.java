package dev.statefront.state.sink;

/** A sink cannot go on as configured (not a passing outage, which is retried): the message says what to change. */
public final class SinkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
