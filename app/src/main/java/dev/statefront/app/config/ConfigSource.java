package dev.statefront.app.config;

/**
 * Where a setting's value came from, lowest precedence first: a later source overrides an
 * earlier one.
 */
public enum ConfigSource {
    /** The definition's default. */
    DEFAULT("default"),
    /** A properties file given with {@code --config}. */
    FILE("config file"),
    /** A {@code STATEFRONT_*} environment variable. */
    ENV("environment"),
    /** A {@code --set key=value} option. */
    SET("--set");

    private final String label;

    ConfigSource(String label) {
        this.label = label;
    }

    /** A short human label, as used in error messages. */
    public String label() {
        return label;
    }
}
