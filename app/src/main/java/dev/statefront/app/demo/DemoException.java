package dev.statefront.app.demo;

/** The demo could not set up its topics or produce its data. */
public class DemoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DemoException(String message, Throwable cause) {
        super(message, cause);
    }
}
