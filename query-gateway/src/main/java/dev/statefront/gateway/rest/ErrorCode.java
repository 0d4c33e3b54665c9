package dev.statefront.gateway.rest;

/** The {@code error.code} values of the v1 API and their HTTP statuses. */
public enum ErrorCode {
    INVALID_ARGUMENT(400),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    PAYLOAD_TOO_LARGE(413),
    INTERNAL(500),
    NOT_UP_TO_POSITION(503),
    UNAVAILABLE(503);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    /** The HTTP status this code answers with. */
    public int httpStatus() {
        return httpStatus;
    }
}
