package dev.statefront.tests.cdc;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.ingest.cdc.CdcException;
import dev.statefront.ingest.cdc.CdcTable;
import dev.statefront.ingest.cdc.PostgresPreflight;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The start-up checks against real servers: each usual mistake fails before Debezium starts, with a message
 * that says what to change.
 */
class PostgresCdcErrorsTest {
    @BeforeAll
    static void postgres() throws Exception {
        TestPostgres.ensureRunning();
    }

    private static CdcTable table(String url, String table, String user, List<String> columns) {
        return new CdcTable("t", url, table, user, TestPostgres.PASSWORD, "t", columns, List.of("id"));
    }

    @Test
    void shouldNameTheAddressWhenTheDatabaseIsUnreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free once closed: nothing listens there
        }
        CdcException e = assertThrows(CdcException.class, () -> PostgresPreflight.check(
                table("jdbc:postgresql://127.0.0.1:" + port + "/statefront", "public.t", TestPostgres.USER,
                        List.of("id")), "p"));
        assertTrue(e.getMessage().contains("cannot reach PostgreSQL at 127.0.0.1:" + port)
                && e.getMessage().contains("check the url option"), e.getMessage());
    }

    @Test
    void shouldSayWhichTableIsMissingAndHowToFixIt() {
        CdcException e = assertThrows(CdcException.class, () -> PostgresPreflight.check(
                table(TestPostgres.URL, "public.no_such_table", TestPostgres.USER, List.of("id")), "p"));
        assertTrue(e.getMessage().contains("table public.no_such_table does not exist in database 'statefront'"),
                e.getMessage());
    }

    @Test
    void shouldRejectWrongCredentialsColumnsAndPrimaryKey() throws Exception {
        TestPostgres.exec("DROP TABLE IF EXISTS preflight_t", "CREATE TABLE preflight_t (id BIGINT PRIMARY KEY, v TEXT)");
        // the private cluster trusts local logins, so an unknown user (not a wrong password) is what it refuses
        CdcException login = assertThrows(CdcException.class, () -> PostgresPreflight.check(new CdcTable("t",
                TestPostgres.URL, "preflight_t", "nobody_here", "x", "t", List.of("id"), List.of("id")), "p"));
        assertTrue(login.getMessage().contains("refused the login of user 'nobody_here'")
                && login.getMessage().contains("fix the user and password options"), login.getMessage());
        CdcException column = assertThrows(CdcException.class, () -> PostgresPreflight.check(
                table(TestPostgres.URL, "preflight_t", TestPostgres.USER, List.of("id", "w")), "p"));
        assertTrue(column.getMessage().contains("column 'w' is declared but PostgreSQL table public.preflight_t has "
                + "no such column; its columns are: [id, v]"), column.getMessage());
        CdcException pk = assertThrows(CdcException.class, () -> PostgresPreflight.check(new CdcTable("t",
                TestPostgres.URL, "preflight_t", TestPostgres.USER, TestPostgres.PASSWORD, "t", List.of("id", "v"),
                List.of("v")), "p"));
        assertTrue(pk.getMessage().contains("the declared PRIMARY KEY [v] is not the primary key"), pk.getMessage());
        PostgresPreflight.check(table(TestPostgres.URL, "preflight_t", TestPostgres.USER, List.of("id", "v")), "p");
        TestPostgres.exec("DROP TABLE preflight_t");
    }

    /**
     * A throwaway second cluster with wal_level=replica (initdb + pg_ctl in a temp dir, as the postgres user when
     * running as root): the check must refuse it and say how to change it.
     */
    @Test
    void shouldRefuseAServerWithoutLogicalWalLevel() throws Exception {
        Path bin = postgresBin();
        Path data = Files.createTempDirectory("statefront-pg-replica-");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            if (root) {
                run(List.of("chown", "postgres:postgres", data.toString()), false);
            }
            run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8"), root);
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", data.resolve("log").toString(),
                    "-w", "-t", "60", "start", "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -k " + data
                            + " -c wal_level=replica -c fsync=off"), root);
            CdcException e = assertThrows(CdcException.class, () -> PostgresPreflight.check(table(
                    "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "public.t", "postgres", List.of("id")), "p"));
            assertTrue(e.getMessage().contains("has wal_level = replica, but change data capture needs wal_level = "
                    + "logical; run ALTER SYSTEM SET wal_level = logical"), e.getMessage());
        } finally {
            try {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"),
                        root);
            } finally {
                TestPostgres.deleteTree(data);
            }
        }
    }

    private static Path postgresBin() throws IOException {
        Path lib = Path.of("/usr/lib/postgresql");
        try (var versions = Files.list(lib)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max((a, b) -> Integer.compare(version(a), version(b)))
                    .orElseThrow(() -> new AssertionError("no initdb under " + lib));
        }
    }

    private static int version(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void run(List<String> command, boolean asPostgres) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (asPostgres) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed:\n" + out);
        }
    }
}
