package dev.statefront.processor.plan;

/**
 * An expression failed on one input row (division by zero, an invalid CAST, numeric overflow). The row is bad
 * data: the runtime should dead-letter it with this message and go on.
 */
public class EvaluationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An evaluation failure with a message naming the operation and the offending value. */
    public EvaluationException(String message) {
        super(message);
    }

    /** An evaluation failure wrapping its low-level cause. */
    public EvaluationException(String message, Throwable cause) {
        super(message, cause);
    }
}
