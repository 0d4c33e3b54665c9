package dev.statefront.testkit.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Peak resident memory of a system's JVM, from Linux's {@code /proc/<pid>/status}: {@code VmHWM} is the kernel's
 * own high-water mark of the resident set since the process started, so reading it once before the system is
 * stopped gives the peak over the whole run without sampling (and without missing short spikes); {@code VmRSS} is
 * the resident set at that moment. The pid given may be a launcher (e.g. the {@code setsid bash -c} that starts
 * Statefront); the first {@code java} process in its tree (itself included) is measured. Prints one phase line
 * {@code memory} with {@code peak_rss_mb} and {@code rss_mb} (MiB).
 *
 * <pre>
 * ProcessMemory --pid 12345 --label statefront [--proc /proc]
 * </pre>
 */
public final class ProcessMemory {
    private ProcessMemory() {
    }

    /** The command line ({@code --name value} or {@code --name=value}). */
    @Command(name = "ProcessMemory")
    static final class Args {
        @Option(names = "--label", required = true)
        String label;
        @Option(names = "--pid", required = true)
        String pid;
        @Option(names = "--proc", defaultValue = "/proc")
        String proc;
    }

    public static void main(String[] args) throws IOException {
        Args o = CommandLine.populateCommand(new Args(), args);
        long root = Long.parseLong(o.pid.trim());
        Path proc = Path.of(o.proc);
        PhaseLine line = PhaseLine.of(o.label, "memory");
        OptionalLong java = findJava(proc, root);
        if (java.isEmpty()) {
            System.out.println(line.put("error", "no java process in the tree of pid " + root));
            return;
        }
        Map<String, Long> status = statusKilobytes(Files.readString(proc.resolve(java.getAsLong() + "/status")));
        line.put("pid", java.getAsLong())
                .put("peak_rss_mb", status.getOrDefault("VmHWM", -1L) / 1024.0, 1)
                .put("rss_mb", status.getOrDefault("VmRSS", -1L) / 1024.0, 1);
        System.out.println(line);
    }

    /** The first process named {@code java} in the tree under {@code root}, breadth first, {@code root} included. */
    static OptionalLong findJava(Path proc, long root) throws IOException {
        Map<Long, List<Long>> children = new HashMap<>();
        try (Stream<Path> entries = Files.list(proc)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    long parent = parentPid(Files.readString(p.resolve("stat")));
                    children.computeIfAbsent(parent, k -> new ArrayList<>()).add(Long.parseLong(name));
                } catch (IOException | RuntimeException gone) {
                    // the process ended while we listed /proc, or is not readable: not ours
                }
            }
        }
        Deque<Long> queue = new ArrayDeque<>(List.of(root));
        while (!queue.isEmpty()) {
            long pid = queue.poll();
            try {
                if ("java".equals(Files.readString(proc.resolve(pid + "/comm")).trim())) {
                    return OptionalLong.of(pid);
                }
            } catch (IOException gone) {
                continue;
            }
            queue.addAll(children.getOrDefault(pid, List.of()));
        }
        return OptionalLong.empty();
    }

    /** The parent pid in a {@code /proc/<pid>/stat} line: the second field after the parenthesized command name. */
    static long parentPid(String stat) {
        String[] after = stat.substring(stat.lastIndexOf(')') + 1).trim().split("\\s+");
        return Long.parseLong(after[1]);
    }

    /** The {@code Name: <n> kB} fields of a {@code /proc/<pid>/status} text, in kB. */
    static Map<String, Long> statusKilobytes(String status) {
        Map<String, Long> kb = new HashMap<>();
        for (String l : status.split("\n")) {
            int colon = l.indexOf(':');
            if (colon > 0 && l.endsWith(" kB")) {
                kb.put(l.substring(0, colon), Long.parseLong(l.substring(colon + 1, l.length() - 3).trim()));
            }
        }
        return kb;
    }
}
