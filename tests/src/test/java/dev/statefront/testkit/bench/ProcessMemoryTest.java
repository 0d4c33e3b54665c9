package dev.statefront.testkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessMemoryTest {
    @TempDir
    Path proc;

    @Test
    void findsTheJavaProcessUnderALauncher() throws IOException {
        process(100, 1, "bash");
        process(101, 100, "sleep");
        process(102, 101, "java"); // a grandchild
        process(200, 1, "java"); // someone else's
        Files.createDirectories(proc.resolve("self"));
        assertEquals(OptionalLong.of(102), ProcessMemory.findJava(proc, 100));
        assertEquals(OptionalLong.of(200), ProcessMemory.findJava(proc, 200));
        assertTrue(ProcessMemory.findJava(proc, 999).isEmpty());
    }

    @Test
    void parsesStatusAndStat() {
        Map<String, Long> kb = ProcessMemory.statusKilobytes("Name:\tjava\nVmPeak:\t 5000000 kB\nVmHWM:\t 2097152 kB\n"
                + "VmRSS:\t 1048576 kB\nThreads:\t42\n");
        assertEquals(2_097_152L, kb.get("VmHWM"));
        assertEquals(1_048_576L, kb.get("VmRSS"));
        assertTrue(!kb.containsKey("Threads"));
        // a command name with spaces and parentheses does not shift the fields
        assertEquals(77, ProcessMemory.parentPid("4242 (my (odd) cmd) S 77 4242 4242 0 -1"));
    }

    @Test
    void partitionKeysLandOnTheirPartition() {
        for (int partitions : new int[] {1, 4, 12}) {
            for (int p = 0; p < partitions; p++) {
                String key = AwaitTopicEnd.keyForPartition("probe-end-x-p" + p + "-", p, partitions);
                assertTrue(key.startsWith("probe-end-x-p" + p + "-"));
                assertEquals(p, Utils.toPositive(Utils.murmur2(key.getBytes())) % partitions, key);
            }
        }
    }

    private void process(long pid, long parent, String comm) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(dir.resolve("stat"), pid + " (" + comm + ") S " + parent + " " + pid + " 0 0\n");
        Files.writeString(dir.resolve("comm"), comm + "\n");
    }
}
