package dev.statefront.state.server;

/**
 * How current an answer is.
 *
 * @param asOfMs the instant (epoch ms) up to which every involved partition is complete; -1 when some partition
 *     has not received any progress yet
 * @param lagMs how long ago that was when the answer was made; -1 when unknown
 */
public record Freshness(long asOfMs, long lagMs) {
    /** Nothing known yet. */
    public static final Freshness UNKNOWN = new Freshness(-1, -1);

    /** True if {@link #asOfMs()} is known. */
    public boolean known() {
        return asOfMs >= 0;
    }

    /** The older (less fresh) of two freshnesses; unknown wins. */
    public Freshness min(Freshness other) {
        if (!known() || !other.known()) {
            return UNKNOWN;
        }
        return asOfMs <= other.asOfMs ? this : other;
    }
}
