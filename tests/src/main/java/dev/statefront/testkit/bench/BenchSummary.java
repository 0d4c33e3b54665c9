package dev.statefront.testkit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Statefront against each peer, from the results document the shared bench's Report wrote ({@code phases}: every
 * raw phase line, repeats included). For each metric it takes the median over the runs of each system (computed
 * here from the raw lines, because Report only keeps medians of the phases it knows), and the ratio
 * {@code statefront / peer}; whether a higher or a lower ratio is better depends on the metric and is printed with
 * it. Also prints the medians of the phases Report's table leaves blank ({@code grpc_lookup}, {@code scan},
 * {@code freshness_half}, {@code memory}), and writes everything as JSON.
 *
 * <pre>
 * BenchSummary --results results/20261122T014755Z.json [--sut statefront] [--out results/...-summary.json]
 * </pre>
 */
public final class BenchSummary {
    private BenchSummary() {
    }

    /** Which way a metric is better. */
    public enum Better {
        /** More is better (throughput): a ratio above 1 favours Statefront. */
        HIGHER,
        /** Less is better (latency, memory): a ratio below 1 favours Statefront. */
        LOWER,
        /** Context, not a score (e.g. the load a phase was run at). */
        INFO;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A compared figure: Statefront's {@code sutPhase.sutField} against each peer's {@code peerPhase.peerField}
     * (the same field, except for gRPC, which peers do not offer and which is set against their REST lookups).
     */
    public record Metric(String name, String sutPhase, String sutField, String peerPhase, String peerField,
                         Better better) {
        static Metric same(String name, String phase, String field, Better better) {
            return new Metric(name, phase, field, phase, field, better);
        }
    }

    /** The metrics of the ratio table, in print order. */
    public static final List<Metric> METRICS = List.of(
            Metric.same("catch-up steady (ev/s, after first)", "catchup", "events_per_s_after_first", Better.HIGHER),
            Metric.same("catch-up incl. startup (ev/s)", "catchup", "events_per_s", Better.HIGHER),
            Metric.same("REST lookup QPS", "lookup", "qps", Better.HIGHER),
            Metric.same("REST lookup p99 (ms)", "lookup", "p99_ms", Better.LOWER),
            new Metric("gRPC QPS vs peer REST QPS", "grpc_lookup", "qps", "lookup", "qps", Better.HIGHER),
            new Metric("gRPC p99 vs peer REST p99 (ms)", "grpc_lookup", "p99_ms", "lookup", "p99_ms", Better.LOWER),
            Metric.same("scan 100-row page p50 (ms)", "scan", "p50_ms", Better.LOWER),
            Metric.same("scan 100-row page p99 (ms)", "scan", "p99_ms", Better.LOWER),
            Metric.same("scan 100-row page p999 (ms)", "scan", "p999_ms", Better.LOWER),
            Metric.same("scan pages/s", "scan", "pages_per_s", Better.HIGHER),
            Metric.same("freshness p50 (ms)", "freshness", "p50_ms", Better.LOWER),
            Metric.same("freshness p99 (ms)", "freshness", "p99_ms", Better.LOWER),
            Metric.same("half-load rate offered (ev/s)", "freshness_half", "bg_rate", Better.INFO),
            Metric.same("freshness at half load p50 (ms)", "freshness_half", "p50_ms", Better.LOWER),
            Metric.same("freshness at half load p99 (ms)", "freshness_half", "p99_ms", Better.LOWER),
            Metric.same("peak RSS (MB)", "memory", "peak_rss_mb", Better.LOWER));

    /** The phases this package adds, with the fields worth a look, for the medians table. */
    static final Map<String, List<String>> EXTRA_PHASES = new LinkedHashMap<>();

    static {
        EXTRA_PHASES.put("grpc_lookup", List.of("threads", "qps", "p50_ms", "p99_ms", "p999_ms", "max_ms",
                "hit_ratio", "errors"));
        EXTRA_PHASES.put("scan", List.of("threads", "pages_per_s", "avg_rows", "p50_ms", "p99_ms", "p999_ms",
                "errors"));
        EXTRA_PHASES.put("freshness_half", List.of("bg_rate", "seen", "timeouts", "p50_ms", "p99_ms", "max_ms",
                "skipped"));
        EXTRA_PHASES.put("memory", List.of("peak_rss_mb", "rss_mb", "error"));
    }

    /**
     * One peer's side of a metric.
     *
     * @param peer      the peer's label
     * @param value     its median, or null when it has none
     * @param ratio     Statefront's value / the peer's, or null when either is missing or the peer's is 0
     * @param sutBetter whether the ratio favours Statefront; null for INFO metrics, ties and missing ratios
     */
    public record Comparison(String peer, Double value, Double ratio, Boolean sutBetter) {
    }

    /**
     * One line of the ratio table.
     *
     * @param metric   what is compared
     * @param sutValue Statefront's median, or null
     * @param peers    one comparison per peer, in peer order
     */
    public record Row(Metric metric, Double sutValue, List<Comparison> peers) {
    }

    /**
     * The computed summary.
     *
     * @param sut     Statefront's label
     * @param peers   the other systems (labels with a catch-up phase), in the order they ran
     * @param rows    the ratio table
     * @param medians per {@code label/phase}: its numeric fields' medians, plus {@code runs}
     * @param notes   per {@code label/phase}: text fields (e.g. why a phase was skipped)
     */
    public record Summary(String sut, List<String> peers, List<Row> rows, Map<String, Map<String, Double>> medians,
                          Map<String, Map<String, String>> notes) {
    }

    /** The command line ({@code --name value} or {@code --name=value}). */
    @Command(name = "BenchSummary")
    static final class Args {
        @Option(names = "--results", required = true)
        String results;
        @Option(names = "--out")
        String out;
        @Option(names = "--sut", defaultValue = "statefront")
        String sut;
    }

    public static void main(String[] args) throws IOException {
        Args o = CommandLine.populateCommand(new Args(), args);
        Path results = Path.of(o.results);
        String name = results.getFileName().toString();
        Path out = o.out != null ? Path.of(o.out)
                : results.resolveSibling(name.replaceFirst("\\.json$", "") + "-summary.json");
        Summary s = compute(PhaseLine.JSON.readTree(results.toFile()), o.sut);
        String text = renderExtraPhases(s) + "\n" + renderRatios(s);
        ObjectNode doc = toJson(s);
        doc.put("results", name);
        doc.put("table", text);
        Files.writeString(out, PhaseLine.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        System.out.print(text);
        System.out.println("summary: " + out);
    }

    /** Computes medians and ratios from a results document (needs its {@code phases} array). */
    public static Summary compute(JsonNode results, String sut) {
        Map<String, List<JsonNode>> groups = new LinkedHashMap<>();
        Set<String> peers = new LinkedHashSet<>();
        for (JsonNode line : results.path("phases")) {
            String label = line.path("label").asText("");
            String phase = line.path("phase").asText("");
            groups.computeIfAbsent(label + "/" + phase, k -> new ArrayList<>()).add(line);
            if (phase.equals("catchup") && !label.equals(sut)) {
                peers.add(label);
            }
        }
        Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
        Map<String, Map<String, String>> notes = new LinkedHashMap<>();
        groups.forEach((key, lines) -> {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("runs", (double) lines.size());
            Map<String, String> n = new LinkedHashMap<>();
            Set<String> fields = new LinkedHashSet<>();
            lines.forEach(l -> l.fieldNames().forEachRemaining(fields::add));
            for (String f : fields) {
                List<Double> values = new ArrayList<>();
                Set<String> texts = new LinkedHashSet<>();
                for (JsonNode l : lines) {
                    JsonNode v = l.path(f);
                    if (v.isNumber()) {
                        values.add(v.asDouble());
                    } else if (v.isTextual() && !f.equals("label") && !f.equals("phase")) {
                        texts.add(v.asText());
                    }
                }
                if (!values.isEmpty()) {
                    m.put(f, median(values));
                }
                if (!texts.isEmpty()) {
                    n.put(f, String.join(" / ", texts));
                }
            }
            medians.put(key, m);
            notes.put(key, n);
        });
        List<Row> rows = new ArrayList<>();
        for (Metric metric : METRICS) {
            Double mine = value(medians, sut, metric.sutPhase(), metric.sutField());
            List<Comparison> cs = new ArrayList<>();
            for (String peer : peers) {
                Double theirs = value(medians, peer, metric.peerPhase(), metric.peerField());
                Double ratio = mine == null || theirs == null || theirs == 0 ? null : mine / theirs;
                Boolean better = ratio == null || metric.better() == Better.INFO || ratio == 1.0 ? null
                        : metric.better() == Better.HIGHER ? ratio > 1 : ratio < 1;
                cs.add(new Comparison(peer, theirs, ratio, better));
            }
            rows.add(new Row(metric, mine, cs));
        }
        return new Summary(sut, List.copyOf(peers), rows, medians, notes);
    }

    /** The median of some values (the mean of the middle two for an even count). */
    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static Double value(Map<String, Map<String, Double>> medians, String label, String phase, String field) {
        Map<String, Double> m = medians.get(label + "/" + phase);
        return m == null ? null : m.get(field);
    }

    /** The ratio table: one line per metric, Statefront's value, then each peer's value and the ratio. */
    public static String renderRatios(Summary s) {
        StringBuilder t = new StringBuilder();
        t.append("Statefront ('").append(s.sut()).append("') vs peers: ratio = ").append(s.sut())
                .append(" / peer (medians over runs); 'better' column = which way favours a system\n");
        t.append(String.format("%-37s %-6s %11s", "metric", "better", s.sut()));
        for (String p : s.peers()) {
            t.append(String.format(" | %11s %-13s", p, "ratio"));
        }
        t.append('\n');
        for (Row r : s.rows()) {
            t.append(String.format("%-37s %-6s %11s", r.metric().name(), r.metric().better().word(),
                    number(r.sutValue())));
            for (Comparison c : r.peers()) {
                String ratio = c.ratio() == null ? "-" : String.format(Locale.ROOT, "%.2fx", c.ratio())
                        + (c.sutBetter() == null ? "" : c.sutBetter() ? " better" : " worse");
                t.append(String.format(" | %11s %-13s", number(c.value()), ratio));
            }
            t.append('\n');
        }
        t.append("('better'/'worse' = for ").append(s.sut()).append("; gRPC rows set ").append(s.sut())
                .append("'s gRPC lookups against each peer's REST lookups, which is all a peer offers;")
                .append(" peak RSS is the measured JVM's only, e.g. not PostgreSQL's server processes)\n");
        return t.toString();
    }

    /** Medians of the phases Report does not tabulate. */
    public static String renderExtraPhases(Summary s) {
        StringBuilder t = new StringBuilder("extra phases (medians; bench.sh's additions, which Report lists without"
                + " values)\n");
        t.append(String.format("%-13s %-15s %-4s %s%n", "system", "phase", "runs", "median (all runs)"));
        s.medians().forEach((key, m) -> {
            int slash = key.lastIndexOf('/');
            String phase = key.substring(slash + 1);
            List<String> fields = EXTRA_PHASES.get(phase);
            if (fields == null) {
                return;
            }
            StringBuilder row = new StringBuilder();
            Map<String, String> notes = s.notes().getOrDefault(key, Map.of());
            for (String f : fields) {
                if (m.containsKey(f)) {
                    row.append(f).append('=').append(number(m.get(f))).append("  ");
                } else if (notes.containsKey(f)) {
                    row.append(f).append("=\"").append(notes.get(f)).append("\"  ");
                }
            }
            t.append(String.format("%-13s %-15s %-4d %s%n", key.substring(0, slash), phase,
                    m.get("runs").intValue(), row.toString().trim()));
        });
        return t.toString();
    }

    /** The summary as JSON: peers, one object per metric (with direction and per-peer ratios), medians. */
    public static ObjectNode toJson(Summary s) {
        ObjectNode doc = PhaseLine.JSON.createObjectNode();
        doc.put("sut", s.sut());
        doc.put("ratio", s.sut() + " / peer");
        s.peers().forEach(doc.putArray("peers")::add);
        ArrayNode metrics = doc.putArray("metrics");
        for (Row r : s.rows()) {
            ObjectNode m = metrics.addObject();
            m.put("metric", r.metric().name());
            m.put("better", r.metric().better().word());
            m.put("sut_phase", r.metric().sutPhase() + "." + r.metric().sutField());
            m.put("peer_phase", r.metric().peerPhase() + "." + r.metric().peerField());
            putNumber(m, s.sut(), r.sutValue());
            ObjectNode peers = m.putObject("peers");
            for (Comparison c : r.peers()) {
                ObjectNode p = peers.putObject(c.peer());
                putNumber(p, "value", c.value());
                putNumber(p, "ratio", c.ratio() == null ? null : Math.round(c.ratio() * 1000) / 1000.0);
                if (c.sutBetter() == null) {
                    p.putNull("sut_better");
                } else {
                    p.put("sut_better", c.sutBetter());
                }
            }
        }
        doc.set("medians", PhaseLine.JSON.valueToTree(s.medians()));
        return doc;
    }

    private static void putNumber(ObjectNode node, String field, Double v) {
        if (v == null || !Double.isFinite(v)) {
            node.putNull(field);
        } else {
            node.put(field, v);
        }
    }

    /** A value for a table cell: whole numbers without decimals, small ones with up to 3 significant decimals. */
    static String number(Double v) {
        if (v == null || !Double.isFinite(v)) {
            return "-";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString(v.longValue());
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.3f", v);
    }
}
