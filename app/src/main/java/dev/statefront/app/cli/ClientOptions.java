package dev.statefront.app.cli;

import picocli.CommandLine.Option;

/** Options every client command shares. */
public final class ClientOptions {
    /** The gateway address used without {@code --target}. */
    public static final String DEFAULT_TARGET = "localhost:9090";

    @Option(names = "--target", paramLabel = "HOST:PORT", defaultValue = DEFAULT_TARGET,
            description = "The gateway's gRPC address (default: ${DEFAULT-VALUE}).")
    String target = DEFAULT_TARGET;

    @Option(names = "--json", description = "Print JSON for scripts instead of a table.")
    boolean json;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "10000",
            description = "Deadline of each call in milliseconds (default: ${DEFAULT-VALUE}).")
    long timeoutMs = 10_000;

    @Option(names = "--min-position", paramLabel = "TOKEN",
            description = "Answer only once the view reflects this position token (waits within the deadline).")
    String minPosition = "";
}
