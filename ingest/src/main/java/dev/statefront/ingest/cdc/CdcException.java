package dev.statefront.ingest.cdc;

/** Change data capture cannot start or go on; the message names the table, the database and what to change. */
public class CdcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CdcException(String message) {
        super(message);
    }

    public CdcException(String message, Throwable cause) {
        super(message, cause);
    }
}
