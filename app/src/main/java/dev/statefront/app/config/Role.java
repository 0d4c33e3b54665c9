package dev.statefront.app.config;

import java.util.Arrays;
import java.util.Optional;

/** A role one Statefront process can play; {@code roles=all} plays every one of them. */
public enum Role {
    /** Runs the SQL views: consumes sources, updates state, produces view changes. */
    PROCESSOR("processor"),
    /** Materializes view change topics into local replicas and serves reads. */
    STATE_SERVER("state-server"),
    /** The public REST face; needs a state server in the same process for now. */
    GATEWAY("gateway"),
    /** Feeds source topics from outside: PostgreSQL change data capture for {@code postgres-cdc} tables. */
    INGEST("ingest"),
    /** Keeps PostgreSQL tables equal to views: the SQL's {@code CREATE SINK} statements. */
    SINK("sink");

    /** The value of {@code roles} that means every role. */
    public static final String ALL = "all";

    private final String configName;

    Role(String configName) {
        this.configName = configName;
    }

    /** The name used in the {@code roles} setting. */
    public String configName() {
        return configName;
    }

    /** The role with this setting name, if any. */
    public static Optional<Role> fromConfigName(String name) {
        return Arrays.stream(values()).filter(r -> r.configName.equals(name)).findFirst();
    }
}
