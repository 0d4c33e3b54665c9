package dev.statefront.processor;

/** The processor cannot start or go on; the message says what to change. */
public class ProcessorException extends RuntimeException {
    public ProcessorException(String message) {
        super(message);
    }

    public ProcessorException(String message, Throwable cause) {
        super(message, cause);
    }
}
