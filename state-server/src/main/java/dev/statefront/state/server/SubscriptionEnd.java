package dev.statefront.state.server;

import java.util.Objects;

/**
 * Why a change subscription ended.
 *
 * @param reason the kind of ending
 * @param message what happened and what to do, for people
 */
public record SubscriptionEnd(Reason reason, String message) {

    /** Kinds of endings. */
    public enum Reason {
        /** The subscriber closed it. */
        CLOSED,
        /** The subscriber read too slowly and its bounded buffer overflowed; resume with the last token. */
        OVERFLOW,
        /** The view was dropped from the catalog. */
        VIEW_DROPPED,
        /** The server is stopping; resume with the last token elsewhere or later. */
        SERVER_STOPPING,
        /** The change topic could not be read; resume with the last token later. */
        FAILED
    }

    public SubscriptionEnd {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }
}
