package dev.statefront.app.cli;

/** A client command failed: the gateway answered an error or cannot be reached; the message says which. */
public final class ClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
