package dev.statefront.core;

import java.util.Objects;

/**
 * One change of one view row, as carried by the view's change topic.
 *
 * @param op what happened
 * @param before the row before the change; null for a create or a snapshot read
 * @param after the row after the change; null for a delete
 * @param tsMs when the processor made the change (epoch ms)
 * @param view the view's name
 * @param partition the view partition the change belongs to
 * @param position the source positions the change reflects; never null
 */
public record ChangeEvent(Op op, Object[] before, Object[] after, long tsMs, String view, int partition,
                          Position position) {

    /** The Debezium operation codes. */
    public enum Op {
        CREATE("c"), UPDATE("u"), DELETE("d"), READ("r");

        private final String code;

        Op(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        /** The op for a Debezium code.
         * @throws IllegalArgumentException for an unknown code */
        public static Op fromCode(String code) {
            for (Op op : values()) {
                if (op.code.equals(code)) {
                    return op;
                }
            }
            throw new IllegalArgumentException("unknown change op '" + code + "'");
        }
    }

    public ChangeEvent {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(view, "view");
        Objects.requireNonNull(position, "position");
    }

    /** The change implied by a row going from {@code before} to {@code after} (either may be null). */
    public static Op opFor(Object[] before, Object[] after) {
        if (before == null) {
            return Op.CREATE;
        }
        return after == null ? Op.DELETE : Op.UPDATE;
    }
}
