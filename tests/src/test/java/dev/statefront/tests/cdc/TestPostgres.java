package dev.statefront.tests.cdc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The project's private PostgreSQL ({@code scripts/postgres.sh start}: wal_level=logical on 127.0.0.1:55432,
 * database, user and password {@code statefront}). Started by the script when not reachable; a test that needs
 * it fails (never skips) when it cannot be had.
 */
final class TestPostgres {
    static final String URL = "jdbc:postgresql://127.0.0.1:" + port() + "/statefront";
    static final String USER = "statefront";
    static final String PASSWORD = "statefront";
    private static boolean checked;

    private TestPostgres() {
    }

    private static String port() {
        String p = System.getenv("STATEFRONT_PG_PORT");
        return p == null || p.isBlank() ? "55432" : p;
    }

    /** Makes sure the server runs, starting it with the project's script if needed. */
    static synchronized void ensureRunning() throws Exception {
        if (checked) {
            return;
        }
        if (!reachable()) {
            Path script = repoRoot().resolve("scripts/postgres.sh");
            Process p = new ProcessBuilder("bash", script.toString(), "start").redirectErrorStream(true)
                    .directory(repoRoot().toFile()).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("scripts/postgres.sh start failed; PostgreSQL is needed for CDC tests:\n"
                        + out);
            }
            if (!reachable()) {
                throw new AssertionError("PostgreSQL still not reachable at " + URL + " after scripts/postgres.sh "
                        + "start:\n" + out);
            }
        }
        checked = true;
    }

    private static boolean reachable() {
        try (Connection c = connect()) {
            return c.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    static Path repoRoot() {
        Path d = Path.of("").toAbsolutePath();
        while (d != null && !Files.exists(d.resolve("scripts/postgres.sh"))) {
            d = d.getParent();
        }
        if (d == null) {
            throw new AssertionError("scripts/postgres.sh not found above " + Path.of("").toAbsolutePath());
        }
        return d;
    }

    static Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(URL, USER, PASSWORD);
        c.setAutoCommit(true);
        return c;
    }

    static void exec(String... sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    /** Rows of a query, each as a list of column values (JDBC objects). */
    static List<List<Object>> query(String sql) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getObject(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    /** Drops the replication slots and publications a test's app id left behind (they retain WAL otherwise). */
    static void dropSlots(String prefix) throws SQLException {
        for (List<Object> r : query("SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE '" + prefix
                + "%' AND NOT active")) {
            exec("SELECT pg_drop_replication_slot('" + r.get(0) + "')");
        }
        for (List<Object> r : query("SELECT pubname FROM pg_publication WHERE pubname LIKE '" + prefix + "%'")) {
            exec("DROP PUBLICATION IF EXISTS " + r.get(0));
        }
    }

    /** Deletes a directory tree; absent is fine. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
