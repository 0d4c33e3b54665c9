package dev.statefront.state.sink;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of one {@link PostgresSink}, from {@code CREATE SINK name FROM view WITH (connector = 'postgres',
 * url = 'jdbc:postgresql://...', table = '[schema.]table', user = '...', password = '...', batch.size = '1000')}.
 * Immutable; identifiers are validated here.
 *
 * @param name the sink's name; also its key in the offsets table
 * @param view the view it mirrors
 * @param jdbcUrl a {@code jdbc:postgresql:} URL
 * @param table the target table, optionally schema-qualified; created when absent
 * @param user the database user, may be null (from the URL)
 * @param password the password, may be null
 * @param batchSize the most change records applied per transaction
 * @param bootstrapServers Kafka bootstrap servers
 * @param appId the application id topic names derive from
 * @param consumerOverrides extra Kafka consumer settings
 */
public record PostgresSinkConfig(String name, String view, String jdbcUrl, String table, String user, String password,
                                 int batchSize, String bootstrapServers, String appId,
                                 Map<String, Object> consumerOverrides) {
    /** The default number of change records per transaction. */
    public static final int DEFAULT_BATCH_SIZE = 2000;
    /** The table holding every sink's consumed offsets, in the target table's schema. */
    public static final String OFFSETS_TABLE = "statefront_sink_offsets";

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    public PostgresSinkConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(view, "view");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("sink '" + name + "': url must be a jdbc:postgresql: URL, got '"
                    + jdbcUrl + "'");
        }
        if (table == null || table.isEmpty()) {
            throw new IllegalArgumentException("sink '" + name + "' needs a table option");
        }
        for (String part : table.split("\\.", -1)) {
            requireIdentifier(part, "sink '" + name + "': table '" + table + "'");
        }
        if (table.split("\\.", -1).length > 2) {
            throw new IllegalArgumentException("sink '" + name + "': table '" + table + "' must be table or "
                    + "schema.table");
        }
        if (batchSize < 1 || batchSize > 100_000) {
            throw new IllegalArgumentException("sink '" + name + "': batch.size must be from 1 to 100000, got "
                    + batchSize);
        }
        appId = appId == null || appId.isBlank() ? "statefront" : appId;
        consumerOverrides = consumerOverrides == null ? Map.of() : Map.copyOf(consumerOverrides);
    }

    /**
     * Checks a PostgreSQL identifier Statefront will quote: letters, digits and underscores, not starting with a
     * digit, at most 63 characters (so quoting never changes what it names and nothing can be injected).
     *
     * @throws IllegalArgumentException naming {@code what} if it is not one
     */
    public static String requireIdentifier(String id, String what) {
        if (id == null || !IDENTIFIER.matcher(id).matches()) {
            throw new IllegalArgumentException(what + ": '" + id + "' is not a valid identifier (letters, digits "
                    + "and _, not starting with a digit, at most 63 characters)");
        }
        return id;
    }

    @Override
    public String toString() {
        return "PostgresSinkConfig[name=" + name + ", view=" + view + ", url=" + jdbcUrl + ", table=" + table
                + ", user=" + user + ", password=" + (password == null ? "null" : "****") + ", batchSize="
                + batchSize + "]";
    }

    /** The schema of the table, {@code public} when unqualified. */
    public String schemaName() {
        int dot = table.indexOf('.');
        return dot < 0 ? "public" : table.substring(0, dot);
    }

    /** The table name without its schema. */
    public String tableName() {
        int dot = table.indexOf('.');
        return dot < 0 ? table : table.substring(dot + 1);
    }
}
