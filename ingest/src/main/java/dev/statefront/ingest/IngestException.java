package dev.statefront.ingest;

/** Events could not be written to Kafka (broker unreachable, topic missing, timeout); the message says which. */
public class IngestException extends RuntimeException {
    public IngestException(String message, Throwable cause) {
        super(message, cause);
    }
}
