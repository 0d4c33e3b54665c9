package dev.statefront.processor.state;

/** A task store cannot be opened, read or written; wraps the RocksDB cause with the store's path. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
