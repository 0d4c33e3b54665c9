package dev.statefront.state.server;

/** Lifecycle of a {@link StateServer}; transitions only move forward. */
public enum ServerState {
    /** Constructed, nothing opened. */
    CREATED,
    /** Store open; catching up with the catalog and the change topics; reads answer UNAVAILABLE. */
    RESTORING,
    /** Serving reads and applying changes. */
    RUNNING,
    /** Closing: the consumer stops, then the store closes. */
    STOPPING,
    /** Closed, or failed (see {@link StateServer#failure()}). */
    STOPPED
}
