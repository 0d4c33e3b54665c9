package dev.statefront.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The build's class-data archive ({@code target/statefront.jsa}, recorded by a demo run of the built jar) is one
 * the JVM maps for that jar: with {@code -Xshare:on} the JVM refuses to start on an archive that does not match
 * the jar, lib/ or the JVM, and the class-loading log names the archive as the source of the app's classes.
 */
class ClassDataArchiveIT {

    private static final Path JAR = Path.of(System.getProperty("statefront.jar"));
    private static final Path ARCHIVE = Path.of(System.getProperty("statefront.archive"));

    @Test
    void shouldLoadTheAppsClassesFromTheArchiveTheBuildRecorded() throws Exception {
        assertTrue(Files.isRegularFile(ARCHIVE), "the build records " + ARCHIVE);
        Result r = run(List.of(java(), "-Xshare:on", "-XX:SharedArchiveFile=" + ARCHIVE,
                "-Xlog:class+load=info", "-jar", JAR.toString(), "settings"));
        assertEquals(0, r.exit, "the JVM maps the archive (-Xshare:on fails otherwise):\n" + tail(r.output));
        assertTrue(r.output.contains("kafka.bootstrap.servers"), tail(r.output));
        // a class of the app's jar and one of a jar in lib/ (Kafka's settings), both read from the archive
        for (String type : List.of("dev.statefront.app.StatefrontMain",
                "org.apache.kafka.common.config.ConfigDef")) {
            assertTrue(r.output.contains(type + " source: shared objects file"),
                    type + " comes from the archive:\n" + tail(r.output));
        }
    }

    @Test
    void shouldRefuseAnArchiveThatDoesNotMatchTheJar() throws Exception {
        // the check above can fail: an archive recorded for other jars is refused with -Xshare:on
        Path other = Files.createTempDirectory("statefront-cds-");
        try {
            Path copy = Files.copy(JAR, other.resolve(JAR.getFileName()));
            Result r = run(List.of(java(), "-Xshare:on", "-XX:SharedArchiveFile=" + ARCHIVE, "-cp", copy.toString(),
                    "dev.statefront.app.StatefrontMain", "--version"));
            assertTrue(r.exit != 0, "a jar at another path does not match the archive:\n" + r.output);
        } finally {
            try (var files = Files.walk(other)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void shouldStartWithTheArchiveThroughTheLaunchersOptions() throws Exception {
        // the options scripts/jvm-options.sh gives for the built jar (the launcher, the bench and the Docker image
        // use them) map this archive: -Xshare:on fails otherwise
        List<String> options = JvmOptionsScriptTest.options(JvmOptionsScriptTest.SCRIPT, JAR, ARCHIVE,
                JAR.resolveSibling("lib"), Map.of());
        List<String> command = new ArrayList<>(List.of(java(), "-Xshare:on"));
        command.addAll(options);
        assertTrue(command.contains("-XX:SharedArchiveFile=" + ARCHIVE), command.toString());
        command.addAll(List.of("-jar", JAR.toString(), "settings"));
        Result r = run(command);
        assertEquals(0, r.exit, command + "\n" + tail(r.output));
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the JVM ends");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
    }
}
