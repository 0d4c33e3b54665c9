package dev.statefront.processor.internals;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.Callback;

/** Collects the first asynchronous send failure of a transaction, so the transaction can be aborted. */
final class ErrorSink {
    private static final LongConsumer IGNORE_OFFSET = offset -> { };
    private final AtomicReference<Exception> first = new AtomicReference<>();
    private final Callback plain = (md, e) -> {
        if (e != null) {
            first.compareAndSet(null, e);
        }
    };

    /** A callback that records failures only. */
    Callback callback() {
        return plain;
    }

    /** A callback that records failures and raises {@code nextOffset} past the written record. */
    Callback tracking(AtomicLong nextOffset) {
        return tracking(nextOffset, IGNORE_OFFSET);
    }

    /**
     * A callback that records failures, raises {@code nextOffset} past the written record and tells
     * {@code written} the record's offset.
     */
    Callback tracking(AtomicLong nextOffset, LongConsumer written) {
        return (md, e) -> {
            if (e != null) {
                first.compareAndSet(null, e);
            } else {
                nextOffset.accumulateAndGet(md.offset() + 1, Math::max);
                written.accept(md.offset());
            }
        };
    }

    /** The first failure since the last {@link #reset()}, or null. */
    Exception failure() {
        return first.get();
    }

    void reset() {
        first.set(null);
    }
}
