package dev.statefront.state.server;

/** The outcome of a read. Only {@link #OK} carries a value. */
public enum ReadStatus {
    /** Answered; the value may still be null for a key that has no row. */
    OK,
    /** The view does not exist. */
    NOT_FOUND,
    /** The request cannot be answered as asked (a key of the wrong arity or type). */
    INVALID_ARGUMENT,
    /** The served position did not reach the requested minimum within the wait; retry, wait longer or try a replica. */
    NOT_UP_TO_POSITION,
    /** The server is not serving (restoring, stopping or stopped); retry later. */
    UNAVAILABLE
}
