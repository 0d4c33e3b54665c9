package dev.statefront.app.config;

import java.util.Optional;

/**
 * A setting that Statefront cannot start with: unknown, badly typed, out of range, or in
 * conflict with another setting. The message names the key and where its value came from.
 */
public class StatefrontConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * @param key the offending key, or {@code null} when the problem is not about one key
     * @param message what is wrong and how to fix it; never {@code null}
     */
    public StatefrontConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The offending key, if the problem is about one key. */
    public Optional<String> key() {
        return Optional.ofNullable(key);
    }
}
