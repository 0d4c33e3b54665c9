package dev.statefront.core;

/** A value or record that does not fit its declared type or format; the message says what and where. */
public class DecodeException extends RuntimeException {
    public DecodeException(String message) {
        super(message);
    }

    public DecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
