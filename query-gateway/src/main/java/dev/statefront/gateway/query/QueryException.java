package dev.statefront.gateway.query;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A query that cannot be answered as asked. Each transport maps it to its status and error shape in one place:
 * REST {@code {"error": {code, message, details}}}, gRPC a status with {@code google.rpc} details. The message
 * says what to fix and carries the identifiers involved.
 */
public class QueryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What kind of failure; each transport has one status per code. */
    public enum Code {
        /** Bad input: a key of the wrong arity or type, a bad cursor, token or limit. */
        INVALID_ARGUMENT,
        /** An unknown view or source. */
        NOT_FOUND,
        /** The serving replicas did not reach the requested {@code min_position} in time. */
        NOT_UP_TO_POSITION,
        /** Nothing serves the involved partitions right now (restoring, down, no replica); retry. */
        UNAVAILABLE,
        /** The request is larger than allowed. */
        PAYLOAD_TOO_LARGE
    }

    /**
     * One bad field of a request.
     *
     * @param field the field path, e.g. {@code key}, {@code keys[3]}, {@code events[0]}, {@code min_position}
     * @param description what is wrong with it
     */
    public record FieldViolation(String field, String description) {
    }

    private final Code code;
    private final String reason;
    private final transient Map<String, String> metadata;
    private final transient List<FieldViolation> violations;
    private final transient Map<String, Long> missing;

    /**
     * @param code the kind of failure
     * @param reason an UPPER_SNAKE_CASE machine-readable reason, e.g. {@code VIEW_NOT_FOUND}
     * @param message what went wrong and what to do
     * @param metadata identifiers involved (view, position, ...); may be empty
     * @param violations the bad fields, for INVALID_ARGUMENT; may be empty
     * @param missing for NOT_UP_TO_POSITION, per {@code topic/partition} how many offsets behind; may be empty
     */
    public QueryException(Code code, String reason, String message, Map<String, String> metadata,
                          List<FieldViolation> violations, Map<String, Long> missing) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        this.violations = violations == null ? List.of() : List.copyOf(violations);
        this.missing = missing == null ? Map.of() : Map.copyOf(missing);
    }

    /** Bad input in one field. */
    public static QueryException invalid(String field, String message) {
        return new QueryException(Code.INVALID_ARGUMENT, "INVALID_ARGUMENT", message, Map.of(),
                List.of(new FieldViolation(field, message)), Map.of());
    }

    /** Bad input in several fields. */
    public static QueryException invalid(String message, List<FieldViolation> violations) {
        return new QueryException(Code.INVALID_ARGUMENT, "INVALID_ARGUMENT", message, Map.of(), violations, Map.of());
    }

    /** Not serving; retry later. */
    public static QueryException unavailable(String message) {
        return new QueryException(Code.UNAVAILABLE, "UNAVAILABLE", message, Map.of(), List.of(), Map.of());
    }

    public Code code() {
        return code;
    }

    /** The machine-readable reason, e.g. {@code VIEW_NOT_FOUND}, {@code NOT_UP_TO_POSITION}. */
    public String reason() {
        return reason;
    }

    /** Identifiers involved; never null. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The bad fields; never null. */
    public List<FieldViolation> violations() {
        return violations;
    }

    /** For NOT_UP_TO_POSITION, offsets behind per {@code topic/partition}; never null. */
    public Map<String, Long> missing() {
        return missing;
    }
}
