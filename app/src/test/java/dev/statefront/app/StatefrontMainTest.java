package dev.statefront.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.statefront.app.config.StatefrontConfig;
import picocli.CommandLine;

class StatefrontMainTest {

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(Map<String, String> env, String... args) {
        CommandLine cl = StatefrontMain.commandLine(env);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void shouldPrintVersionAndHelp() {
        assertEquals(0, execute(Map.of(), "--version"));
        assertTrue(out.toString().startsWith("statefront "), out.toString());
        assertEquals(0, execute(Map.of(), "--help"));
        assertTrue(out.toString().contains("run"), out.toString());
        assertEquals(0, execute(Map.of(), "run", "--help"));
        assertTrue(out.toString().contains("--demo") && out.toString().contains("--sql"), out.toString());
    }

    @Test
    void shouldFailAsUsageErrorWithoutSubcommand() {
        assertEquals(StatefrontMain.EXIT_USAGE, execute(Map.of()));
        assertTrue(err.toString().contains("Usage: statefront"), err.toString());
    }

    @Test
    void shouldFailAsUsageErrorWhenRunHasNeitherDemoNorSql() {
        assertEquals(StatefrontMain.EXIT_USAGE, execute(Map.of(), "run"));
        assertTrue(err.toString().contains("needs --demo or --sql FILE"), err.toString());
    }

    @Test
    void shouldRejectAStopAfterBelowOneSecond() {
        assertEquals(StatefrontMain.EXIT_USAGE, execute(Map.of(), "run", "--demo", "--stop-after", "0"));
        assertTrue(err.toString().contains("--stop-after must be at least 1 second, got 0"), err.toString());
    }

    @Test
    void shouldRejectDemoAndSqlTogether() {
        assertEquals(StatefrontMain.EXIT_USAGE, execute(Map.of(), "run", "--demo", "--sql", "views.sql"));
        assertTrue(err.toString().contains("mutually exclusive"), err.toString());
    }

    @Test
    void shouldFailNamingTheUnknownSettingAndItsSource() {
        assertEquals(StatefrontMain.EXIT_FAILURE, execute(Map.of(), "run", "--demo", "--set", "rest.prot=1"));
        assertTrue(err.toString().contains("'rest.prot'") && err.toString().contains("--set"), err.toString());

        assertEquals(StatefrontMain.EXIT_FAILURE, execute(Map.of("STATEFRONT_NOPE", "1"), "run", "--demo"));
        assertTrue(err.toString().contains("STATEFRONT_NOPE"), err.toString());
    }

    @Test
    void shouldFailNamingTheMissingSqlAndConfigFiles() throws Exception {
        assertEquals(StatefrontMain.EXIT_FAILURE, execute(Map.of(), "run", "--sql", tmp.resolve("nope.sql").toString()));
        assertTrue(err.toString().contains("nope.sql") && err.toString().contains("does not exist"), err.toString());

        assertEquals(StatefrontMain.EXIT_FAILURE,
                execute(Map.of(), "run", "--demo", "--config", tmp.resolve("nope.properties").toString()));
        assertTrue(err.toString().contains("nope.properties"), err.toString());

        Path empty = Files.writeString(tmp.resolve("empty.sql"), "  \n");
        assertEquals(StatefrontMain.EXIT_FAILURE, execute(Map.of(), "run", "--sql", empty.toString()));
        assertTrue(err.toString().contains("is empty"), err.toString());
    }

    @Test
    void shouldListEverySetting() {
        assertEquals(0, execute(Map.of(), "settings"));
        for (String key : StatefrontConfig.configDef().names()) {
            assertTrue(out.toString().contains(key + "  ["), key);
            assertTrue(out.toString().contains(StatefrontConfig.keyToEnv(key)), key);
        }
    }

    @Test
    void shouldShipTheDemoViews() {
        String sql = RunCommand.demoSql();
        assertTrue(sql.contains("CREATE SOURCE orders"), sql);
        assertTrue(sql.contains("CREATE MATERIALIZED VIEW customer_stats"), sql);
        assertTrue(sql.contains("CREATE MATERIALIZED VIEW region_status"), sql);
    }
}
