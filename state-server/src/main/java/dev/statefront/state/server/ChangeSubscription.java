package dev.statefront.state.server;

import java.time.Duration;

/**
 * A live change stream of one view, from {@link StateServer#subscribe}. Pull-based and transport-neutral: a
 * transport calls {@link #poll} from one thread at a time (a thread per stream, or an executor task woken by
 * {@link #onAvailable}) and writes each event; on a timeout it sends a heartbeat carrying {@link #resumeToken()}.
 *
 * <p>Guarantees: snapshot rows (if asked for) at one position P, then a {@code SNAPSHOT_COMPLETE} marker, then
 * every change after P in per-partition change-topic order, none missing, none twice; the same after a resume
 * from any token this subscription handed out. A subscriber whose buffer overflows (it reads slower than changes
 * arrive) gets the events buffered so far and then an {@code END} event with reason {@code OVERFLOW}; the apply
 * loop and other subscribers are never slowed.
 */
public interface ChangeSubscription extends AutoCloseable {
    /** The view. */
    String view();

    /**
     * The next event, waiting up to {@code timeout}; null if none arrived in time (send a heartbeat). After the
     * {@code END} event every call returns null at once.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    SubscriptionEvent poll(Duration timeout) throws InterruptedException;

    /**
     * The token that resumes right after everything delivered so far (which may be further than the last
     * event's token when the changes in between did not match the key range); null during the snapshot.
     */
    String resumeToken();

    /**
     * Registers a callback run (on the apply thread: it must not block) whenever events become available or
     * the subscription ends; for transports that poll from an executor instead of a dedicated thread.
     */
    void onAvailable(Runnable callback);

    /** Why it ended, or null while it runs. */
    SubscriptionEnd end();

    /** Ends the subscription and frees its buffer, snapshot and consumer; idempotent, from any thread. */
    @Override
    void close();
}
