package dev.statefront.gateway;

/** The gateway could not start, e.g. because its port is in use; the message names host and port. */
public class GatewayStartException extends RuntimeException {
    public GatewayStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
