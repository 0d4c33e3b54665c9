package dev.statefront.ingest.cdc;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One PostgreSQL table to capture: {@code CREATE TABLE name (...) WITH (connector = 'postgres-cdc', url, table,
 * user, password, topic)}.
 *
 * @param name the Statefront table name (names the slot and publication)
 * @param url {@code jdbc:postgresql://host[:port]/database}
 * @param table the PostgreSQL table, {@code schema.table} ({@code public} when no schema is given)
 * @param user the database user; may be null (then from the url's {@code user} parameter)
 * @param password the password; may be null
 * @param topic the Kafka topic the changes go to
 * @param columns the declared columns, which the PostgreSQL table must have
 * @param keyColumns the declared PRIMARY KEY, which must be the PostgreSQL table's primary key
 */
public record CdcTable(String name, String url, String table, String user, String password, String topic,
                       List<String> columns, List<String> keyColumns) {
    public CdcTable {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(topic, "topic");
        columns = List.copyOf(columns);
        keyColumns = List.copyOf(keyColumns);
        if (!table.contains(".")) {
            table = "public." + table;
        }
    }

    /** The schema part of {@link #table()}. */
    public String schemaName() {
        return table.substring(0, table.indexOf('.'));
    }

    /** The table part of {@link #table()}. */
    public String tableName() {
        return table.substring(table.indexOf('.') + 1);
    }

    /**
     * The name of this table's replication slot and publication: {@code statefront_<appId>_<name>}, lower-cased,
     * other characters than {@code [a-z0-9_]} replaced by {@code _}, at most 63 characters (PostgreSQL's limit).
     */
    public String slotName(String appId) {
        String raw = ("statefront_" + appId + "_" + name).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return raw.length() <= 63 ? raw : raw.substring(0, 63);
    }

    /** The database server and database of {@link #url()}. */
    public Endpoint endpoint() {
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new CdcException("table " + name + ": url '" + url + "' is not jdbc:postgresql://host[:port]/database");
        }
        try {
            URI uri = new URI(url.substring("jdbc:".length()));
            String db = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
            if (uri.getHost() == null || db.isEmpty()) {
                throw new CdcException("table " + name + ": url '" + url + "' needs a host and a database: "
                        + "jdbc:postgresql://host[:port]/database");
            }
            return new Endpoint(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), db);
        } catch (URISyntaxException e) {
            throw new CdcException("table " + name + ": url '" + url + "' cannot be parsed: " + e.getMessage(), e);
        }
    }

    /** Where the database is. */
    public record Endpoint(String host, int port, String database) {
        @Override
        public String toString() {
            return host + ":" + port + "/" + database;
        }
    }

    @Override
    public String toString() {
        return "table " + name + " (PostgreSQL " + table + " at " + url + ")"; // never the password
    }
}
