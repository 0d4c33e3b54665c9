package dev.statefront.processor.internals;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of a running processor, read by metrics exporters and tests. Thread-safe. */
public final class ProcessorMetrics {
    final AtomicLong recordsIn = new AtomicLong();
    final AtomicLong deadLetters = new AtomicLong();
    final AtomicLong transactions = new AtomicLong();
    final AtomicLong aborts = new AtomicLong();
    final AtomicLong restarts = new AtomicLong();

    /**
     * Source and repartition records consumed: counted as each poll's records are applied, before the transaction
     * that holds them commits (an aborted transaction's records are counted again when they are read again).
     */
    public long recordsIn() {
        return recordsIn.get();
    }

    /** Records sent to the dead-letter topic. */
    public long deadLetters() {
        return deadLetters.get();
    }

    /** Committed transactions. */
    public long transactions() {
        return transactions.get();
    }

    /** Aborted transactions. */
    public long aborts() {
        return aborts.get();
    }

    /** Times the processing loop was rebuilt after a failure. */
    public long restarts() {
        return restarts.get();
    }
}
