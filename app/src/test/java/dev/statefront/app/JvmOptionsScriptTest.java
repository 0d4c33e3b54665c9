package dev.statefront.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/jvm-options.sh}, the JVM options the launcher, the bench and the Docker image start Statefront
 * with: the class-data archive only while it is at least as new as the jar and every jar in lib/, the parallel
 * garbage collector unless the options the JVM reads choose one, and later C2 compilation unless they choose JIT
 * thresholds.
 */
class JvmOptionsScriptTest {

    static final Path SCRIPT = Path.of("..", "scripts", "jvm-options.sh").toAbsolutePath().normalize();
    private static final Instant T = Instant.parse("2026-11-22T10:00:00Z");
    private static final String PARALLEL_GC = "-XX:+UseParallelGC";
    private static final List<String> JIT = List.of("-XX:Tier4InvocationThreshold=30000",
            "-XX:Tier4MinInvocationThreshold=3600", "-XX:Tier4CompileThreshold=90000",
            "-XX:Tier4BackEdgeThreshold=240000");

    @TempDir
    Path dir;
    private Path jar;
    private Path archive;
    private Path lib;

    @BeforeEach
    void files() throws IOException {
        jar = touch(dir.resolve("statefront-app.jar"), T);
        lib = Files.createDirectories(dir.resolve("lib"));
        touch(lib.resolve("kafka-clients.jar"), T);
        archive = touch(dir.resolve("statefront.jsa"), T.plusSeconds(20));
    }

    @Test
    void shouldMapAFreshArchive() throws Exception {
        assertEquals(withJit("-XX:SharedArchiveFile=" + archive, PARALLEL_GC), options(Map.of()));
        touch(jar, T.plusSeconds(20));
        assertEquals(withJit("-XX:SharedArchiveFile=" + archive, PARALLEL_GC), options(Map.of()),
                "as new as the jar");
    }

    @Test
    void shouldLeaveOutAnArchiveOlderThanTheJarOrALibraryJar() throws Exception {
        touch(jar, T.plusSeconds(30));
        assertEquals(withJit(PARALLEL_GC), options(Map.of()), "a jar rebuilt after the archive");
        touch(jar, T);
        touch(lib.resolve("rocksdbjni.jar"), T.plusSeconds(30));
        assertEquals(withJit(PARALLEL_GC), options(Map.of()), "a library jar newer than the archive");
        Files.delete(lib.resolve("rocksdbjni.jar"));
        Files.delete(archive);
        assertEquals(withJit(PARALLEL_GC), options(Map.of()), "no archive at all");
    }

    @Test
    void shouldLeaveOutTheArchiveWhenTurnedOff() throws Exception {
        assertEquals(withJit(PARALLEL_GC), options(Map.of("STATEFRONT_CDS", "0")));
    }

    @Test
    void shouldLeaveTheCollectorToTheUserWhoChoosesOne() throws Exception {
        assertEquals(withJit("-XX:SharedArchiveFile=" + archive),
                options(Map.of("STATEFRONT_JAVA_OPTS", "-Xmx2g -XX:+UseG1GC -XX:MaxGCPauseMillis=50")), "G1");
        assertEquals(withJit(), options(Map.of("STATEFRONT_CDS", "0", "STATEFRONT_JAVA_OPTS", "-XX:+UseZGC")),
                "ZGC");
        assertEquals(withJit("-XX:SharedArchiveFile=" + archive, PARALLEL_GC),
                options(Map.of("STATEFRONT_JAVA_OPTS", "-Xmx2g -XX:MaxGCPauseMillis=50 -XX:+UseStringDeduplication")),
                "options that choose no collector");
        // the JVM reads these too, and refuses to start with two collectors
        assertEquals(withJit("-XX:SharedArchiveFile=" + archive),
                options(Map.of("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75 -XX:+UseG1GC")), "JAVA_TOOL_OPTIONS");
        assertEquals(withJit("-XX:SharedArchiveFile=" + archive),
                options(Map.of("JDK_JAVA_OPTIONS", "-XX:+UseSerialGC")), "JDK_JAVA_OPTIONS");
        assertEquals(withJit("-XX:SharedArchiveFile=" + archive, PARALLEL_GC),
                options(Map.of("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75")), "JAVA_TOOL_OPTIONS without one");
    }

    @Test
    void shouldLeaveTheJitThresholdsToTheUserWhoChoosesThem() throws Exception {
        assertEquals(List.of("-XX:SharedArchiveFile=" + archive, PARALLEL_GC),
                options(Map.of("STATEFRONT_JAVA_OPTS", "-XX:Tier4InvocationThreshold=5000")), "a tier threshold");
        assertEquals(List.of(PARALLEL_GC), options(Map.of("STATEFRONT_CDS", "0",
                "JAVA_TOOL_OPTIONS", "-XX:CompileThresholdScaling=0.5")), "the scaling, in JAVA_TOOL_OPTIONS");
        assertEquals(List.of(), options(Map.of("STATEFRONT_CDS", "0",
                "JDK_JAVA_OPTIONS", "-XX:+UseG1GC -XX:Tier3InvocationThreshold=100")), "both, in JDK_JAVA_OPTIONS");
        assertEquals(withJit(PARALLEL_GC), options(Map.of("STATEFRONT_CDS", "0",
                "STATEFRONT_JAVA_OPTS", "-XX:CICompilerCount=4")), "other JIT options");
    }

    /** {@code first} followed by the JIT thresholds the script gives by default. */
    private static List<String> withJit(String... first) {
        List<String> all = new java.util.ArrayList<>(List.of(first));
        all.addAll(JIT);
        return all;
    }

    /** The options the script gives, one per element, in the given environment. */
    private List<String> options(Map<String, String> env) throws Exception {
        return options(SCRIPT, jar, archive, lib, env);
    }

    /**
     * What {@code statefront_jvm_options JAR ARCHIVE LIB_DIR} of {@code script} gives, one option per element, with
     * {@code STATEFRONT_CDS}, {@code STATEFRONT_JAVA_OPTS}, {@code JAVA_TOOL_OPTIONS} and {@code JDK_JAVA_OPTIONS}
     * only as {@code env} sets them.
     */
    static List<String> options(Path script, Path jar, Path archive, Path lib, Map<String, String> env)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                ". \"$1\" && statefront_jvm_options \"$2\" \"$3\" \"$4\""
                        + " && printf '%s\\n' \"${STATEFRONT_JVM_OPTIONS[@]}\"",
                "test", script.toString(), jar.toString(), archive.toString(), lib.toString());
        pb.environment().remove("STATEFRONT_CDS");
        pb.environment().remove("STATEFRONT_JAVA_OPTS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "bash ends");
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> !l.isEmpty()).toList();
    }

    private static Path touch(Path file, Instant at) throws IOException {
        if (!Files.exists(file)) {
            Files.write(file, new byte[] {1});
        }
        Files.setLastModifiedTime(file, FileTime.from(at));
        return file;
    }
}
