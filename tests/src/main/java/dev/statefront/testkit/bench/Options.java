package dev.statefront.testkit.bench;

import java.util.HashMap;
import java.util.Map;

/**
 * Command-line options of the bench mains: {@code --name value} or {@code --name=value}; a {@code --flag} without a
 * value reads as {@code "true"}.
 */
public final class Options {
    private final Map<String, String> values = new HashMap<>();

    private Options() {
    }

    /** Parses {@code args}; anything that is not an option is rejected. */
    public static Options parse(String... args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException("expected --name [value], got '" + arg + "'");
            }
            String name = arg.substring(2);
            int eq = name.indexOf('=');
            if (eq >= 0) {
                o.values.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                o.values.put(name, args[++i]);
            } else {
                o.values.put(name, "true");
            }
        }
        return o;
    }

    /** The option's value, or {@code fallback} when absent. */
    public String text(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** The option's value; fails when absent. */
    public String required(String name) {
        String v = values.get(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    /** The option as an int, or {@code fallback} when absent. */
    public int integer(String name, int fallback) {
        return values.containsKey(name) ? Integer.parseInt(values.get(name).trim()) : fallback;
    }

    /** The option as a long, or {@code fallback} when absent. */
    public long longValue(String name, long fallback) {
        return values.containsKey(name) ? Long.parseLong(values.get(name).trim()) : fallback;
    }

    /** The option as a double, or {@code fallback} when absent. */
    public double decimal(String name, double fallback) {
        return values.containsKey(name) ? Double.parseDouble(values.get(name).trim()) : fallback;
    }
}
