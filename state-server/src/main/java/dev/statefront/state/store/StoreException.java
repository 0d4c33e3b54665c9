package dev.statefront.state.store;

/** A storage failure, with the store path and operation in the message and the RocksDB cause attached. */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
