package dev.statefront.core;

/**
 * Names of the Kafka topics Statefront owns, derived from the application id ({@code app.id}, default
 * {@code statefront}). The README documents them; changing a name is a breaking change.
 */
public final class Topics {
    private Topics() {
    }

    /** The change topic of a view: Debezium-style envelopes keyed by the view key, compacted. */
    public static String viewChanges(String appId, String view) {
        return appId + "-view-" + view;
    }

    /** Internal topic re-keying a view's input by its GROUP BY key. */
    public static String repartition(String appId, String view) {
        return appId + "-repartition-" + view;
    }

    /** Compacted topic of catalog entries (sources and views with their schemas). */
    public static String catalog(String appId) {
        return appId + "-catalog";
    }

    /** Progress markers: which source positions each view partition reflects, and as of when. */
    public static String progress(String appId) {
        return appId + "-progress";
    }

    /** Records that could not be decoded, with the reason in their headers. */
    public static String deadLetter(String appId) {
        return appId + "-dlq";
    }
}
