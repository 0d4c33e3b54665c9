package dev.statefront.state.server;

import java.util.Objects;

/**
 * What a change subscription asks for: a view, where to start, an optional key range. Immutable; build with
 * {@link #snapshot}, {@link #now} or {@link #resume} and the withers.
 *
 * @param view the view
 * @param start where the stream starts
 * @param token for {@link Start#TOKEN}: the resume token of the last change the client has; null otherwise
 * @param fromKey first key of the range in {@code KeyCodec} encoding (or an encoded prefix), null for the start
 * @param toKey end of the range (exclusive, encoded), null for the end
 * @param bufferSize the most events buffered for this subscriber before it is disconnected; 0 for the server's
 *     default
 */
public record SubscribeRequest(String view, Start start, String token, byte[] fromKey, byte[] toKey,
                               int bufferSize) {

    /** Where a subscription starts. */
    public enum Start {
        /** The view's rows at some position P as {@code op=r} events, a snapshot-complete marker, then every change after P. */
        SNAPSHOT,
        /** Only changes applied after the subscription is registered. */
        NOW,
        /** Every change after the one a resume token was handed out with. */
        TOKEN
    }

    public SubscribeRequest {
        Objects.requireNonNull(view, "view");
        Objects.requireNonNull(start, "start");
        if (start == Start.TOKEN && (token == null || token.isEmpty())) {
            throw new IllegalArgumentException("a TOKEN subscription needs a token");
        }
        if (bufferSize < 0) {
            throw new IllegalArgumentException("bufferSize must be >= 0, got " + bufferSize);
        }
    }

    /** Snapshot, then changes. */
    public static SubscribeRequest snapshot(String view) {
        return new SubscribeRequest(view, Start.SNAPSHOT, null, null, null, 0);
    }

    /** New changes only. */
    public static SubscribeRequest now(String view) {
        return new SubscribeRequest(view, Start.NOW, null, null, null, 0);
    }

    /** Changes after the one {@code token} was handed out with. */
    public static SubscribeRequest resume(String view, String token) {
        return new SubscribeRequest(view, Start.TOKEN, token, null, null, 0);
    }

    /**
     * Changes from the given change-topic offsets on, one per view partition (index = partition): e.g. a little
     * before the end of each partition, to read the latest changes.
     */
    public static SubscribeRequest fromOffsets(String view, long[] nextOffsets) {
        return resume(view, dev.statefront.state.internals.ChangeToken.encode(view, nextOffsets));
    }

    /** This request restricted to keys in {@code [fromInclusive, toExclusive)} (encoded; either may be null). */
    public SubscribeRequest withKeyRange(byte[] fromInclusive, byte[] toExclusive) {
        return new SubscribeRequest(view, start, token, fromInclusive, toExclusive, bufferSize);
    }

    /** This request with its own buffer bound. */
    public SubscribeRequest withBufferSize(int events) {
        return new SubscribeRequest(view, start, token, fromKey, toKey, events);
    }
}
