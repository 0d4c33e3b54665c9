package dev.statefront.gateway.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statefront.core.Json;

/**
 * A request that ends in an error answer; turned into {@code {"error": {code, message, details}}} in one place
 * ({@link RestApi}). The message says what to fix.
 */
public class ApiException extends RuntimeException {
    private final ErrorCode code;
    private final transient ObjectNode details;

    public ApiException(ErrorCode code, String message) {
        this(code, message, Json.mapper().createObjectNode());
    }

    public ApiException(ErrorCode code, String message, ObjectNode details) {
        super(message);
        this.code = code;
        this.details = details;
    }

    /** A 400 INVALID_ARGUMENT. */
    public static ApiException invalid(String message) {
        return new ApiException(ErrorCode.INVALID_ARGUMENT, message);
    }

    public ErrorCode code() {
        return code;
    }

    /** Machine-readable details; never null. */
    public ObjectNode details() {
        return details;
    }
}
