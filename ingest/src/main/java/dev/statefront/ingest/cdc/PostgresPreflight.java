package dev.statefront.ingest.cdc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Checks over plain JDBC, before Debezium starts, for the mistakes that would otherwise surface as a connector
 * failure deep in a log: an unreachable server or wrong credentials, {@code wal_level} other than {@code logical},
 * a missing table, columns or primary key that do not match the declaration, and missing privileges. Each
 * failure is a {@link CdcException} that says what to change.
 */
public final class PostgresPreflight {
    private PostgresPreflight() {
    }

    /**
     * Runs every check for a table.
     *
     * @param publication the publication Debezium will use (created filtered to the table when absent)
     * @throws CdcException naming the table, the database and what to change
     */
    public static void check(CdcTable t, String publication) {
        try (Connection c = connect(t)) {
            checkWalLevel(t, walLevel(c));
            checkTable(t, c);
            checkPrivileges(t, c, publication);
        } catch (SQLException e) {
            throw new CdcException(t + ": checking the database failed: " + e.getMessage(), e);
        }
    }

    /**
     * Opens a JDBC connection with short timeouts.
     *
     * @throws CdcException if the server cannot be reached or refuses the login, saying what to check
     */
    static Connection connect(CdcTable t) {
        Properties p = new Properties();
        if (t.user() != null) {
            p.setProperty("user", t.user());
        }
        if (t.password() != null) {
            p.setProperty("password", t.password());
        }
        p.setProperty("connectTimeout", "5");
        p.setProperty("loginTimeout", "10");
        p.setProperty("socketTimeout", "30");
        p.setProperty("ApplicationName", "statefront-cdc-preflight");
        try {
            return DriverManager.getConnection(t.url(), p);
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            String who = t.user() == null ? "(no user given)" : "'" + t.user() + "'";
            if (state.startsWith("28")) {
                throw new CdcException(t + ": PostgreSQL refused the login of user " + who + ": " + e.getMessage()
                        + "; fix the user and password options (and pg_hba.conf if the user is right)", e);
            }
            if (state.equals("3D000")) {
                throw new CdcException(t + ": database '" + t.endpoint().database() + "' does not exist on "
                        + t.endpoint().host() + ":" + t.endpoint().port() + "; fix the url option", e);
            }
            if (state.startsWith("08") || e.getCause() instanceof java.io.IOException) {
                throw new CdcException(t + ": cannot reach PostgreSQL at " + t.endpoint().host() + ":"
                        + t.endpoint().port() + " (" + e.getMessage() + "); check the url option, that the server "
                        + "runs and accepts TCP connections there (listen_addresses, firewall)", e);
            }
            throw new CdcException(t + ": cannot connect: " + e.getMessage() + " (SQLState " + state + ")", e);
        }
    }

    static String walLevel(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW wal_level")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * Fails unless {@code wal_level} is {@code logical}.
     *
     * @throws CdcException saying how to change it
     */
    static void checkWalLevel(CdcTable t, String walLevel) {
        if (!"logical".equalsIgnoreCase(walLevel)) {
            throw new CdcException(t + ": PostgreSQL at " + t.endpoint() + " has wal_level = " + walLevel
                    + ", but change data capture needs wal_level = logical; run ALTER SYSTEM SET wal_level = logical "
                    + "(or set it in postgresql.conf) and restart PostgreSQL");
        }
    }

    private static void checkTable(CdcTable t, Connection c) throws SQLException {
        List<String> actual = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT column_name FROM information_schema.columns "
                + "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position")) {
            s.setString(1, t.schemaName());
            s.setString(2, t.tableName());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    actual.add(rs.getString(1));
                }
            }
        }
        if (actual.isEmpty()) {
            throw new CdcException(t + ": table " + t.table() + " does not exist in database '"
                    + t.endpoint().database() + "' (or user '" + currentUser(c) + "' cannot see it); create it, "
                    + "fix the table option ('schema.table'), or GRANT SELECT ON " + t.table() + " TO "
                    + currentUser(c));
        }
        List<String> lower = actual.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        for (String declared : t.columns()) {
            if (!lower.contains(declared.toLowerCase(Locale.ROOT))) {
                throw new CdcException(t + ": column '" + declared + "' is declared but PostgreSQL table " + t.table()
                        + " has no such column; its columns are: " + actual);
            }
        }
        List<String> pk = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT a.attname FROM pg_index i "
                + "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                + "WHERE i.indrelid = to_regclass(?) AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)")) {
            s.setString(1, quoted(t));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    pk.add(rs.getString(1).toLowerCase(Locale.ROOT));
                }
            }
        }
        List<String> declaredPk = t.keyColumns().stream().map(k -> k.toLowerCase(Locale.ROOT)).toList();
        if (!pk.equals(declaredPk)) {
            throw new CdcException(t + ": the declared PRIMARY KEY " + t.keyColumns() + " is not the primary key of "
                    + "PostgreSQL table " + t.table() + " (" + (pk.isEmpty() ? "it has none" : pk) + "); changes "
                    + "are keyed by the table's primary key, so declare that one"
                    + (pk.isEmpty() ? " after ALTER TABLE " + t.table() + " ADD PRIMARY KEY (...)" : ""));
        }
    }

    private static void checkPrivileges(CdcTable t, Connection c, String publication) throws SQLException {
        String user = currentUser(c);
        try (PreparedStatement s = c.prepareStatement("SELECT has_table_privilege(to_regclass(?), 'SELECT'), "
                + "(SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user), "
                + "EXISTS (SELECT 1 FROM pg_publication WHERE pubname = ?), "
                + "(SELECT pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c WHERE c.oid = to_regclass(?)), "
                + "has_database_privilege(current_database(), 'CREATE')")) {
            s.setString(1, quoted(t));
            s.setString(2, publication);
            s.setString(3, quoted(t));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new CdcException(t + ": user '" + user + "' may not read " + t.table() + "; run GRANT SELECT "
                            + "ON " + t.table() + " TO " + user);
                }
                if (!rs.getBoolean(2)) {
                    throw new CdcException(t + ": user '" + user + "' may not open a replication connection; run "
                            + "ALTER ROLE " + user + " REPLICATION");
                }
                boolean publicationExists = rs.getBoolean(3);
                if (!publicationExists && !(rs.getBoolean(4) && rs.getBoolean(5))) {
                    throw new CdcException(t + ": publication " + publication + " does not exist and user '" + user
                            + "' cannot create it (that needs ownership of " + t.table() + " and CREATE on the "
                            + "database); as the table's owner run CREATE PUBLICATION " + publication + " FOR TABLE "
                            + t.table());
                }
            }
        }
    }

    private static String currentUser(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_user")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String quoted(CdcTable t) {
        return "\"" + t.schemaName().replace("\"", "\"\"") + "\".\"" + t.tableName().replace("\"", "\"\"") + "\"";
    }
}
