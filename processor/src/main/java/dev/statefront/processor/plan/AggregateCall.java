package dev.statefront.processor.plan;

import dev.statefront.core.ColumnType;
import java.util.Objects;

/**
 * One aggregate of a view, as the runtime computes it.
 *
 * @param function the aggregate function
 * @param distinct true for {@code f(DISTINCT x)}: each distinct non-null input counts once
 * @param inputType the type of the input values ({@link ColumnType#BOOLEAN} for COUNT(*))
 * @param resultType the type of the result
 */
public record AggregateCall(AggregateFunction function, boolean distinct, ColumnType inputType, ColumnType resultType) {
    public AggregateCall {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(inputType, "inputType");
        Objects.requireNonNull(resultType, "resultType");
    }

    /**
     * The result type the runtime produces for a function over an input type: COUNT is BIGINT; SUM of INT or
     * BIGINT is BIGINT, of DOUBLE DOUBLE, of DECIMAL(p,s) DECIMAL(38,s); AVG of INT, BIGINT or DOUBLE is DOUBLE,
     * of DECIMAL(p,s) DECIMAL(38,max(s,6)); MIN and MAX keep the input type.
     *
     * @throws IllegalArgumentException naming the function and type if the function does not apply to it
     */
    public static ColumnType resultTypeOf(AggregateFunction function, ColumnType input) {
        switch (function) {
            case COUNT_STAR:
            case COUNT:
                return ColumnType.BIGINT;
            case MIN:
            case MAX:
                return input;
            case SUM:
                return switch (input.kind()) {
                    case INT, BIGINT -> ColumnType.BIGINT;
                    case DOUBLE -> ColumnType.DOUBLE;
                    case DECIMAL -> ColumnType.decimal(ColumnType.MAX_DECIMAL_PRECISION, input.scale());
                    default -> throw new IllegalArgumentException("SUM does not apply to " + input);
                };
            case AVG:
                return switch (input.kind()) {
                    case INT, BIGINT, DOUBLE -> ColumnType.DOUBLE;
                    case DECIMAL -> ColumnType.decimal(ColumnType.MAX_DECIMAL_PRECISION, Math.max(input.scale(), 6));
                    default -> throw new IllegalArgumentException("AVG does not apply to " + input);
                };
            default:
                throw new IllegalArgumentException("unknown aggregate " + function);
        }
    }
}
