package dev.statefront.testkit.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Range-scan latency over HTTP: K client threads each request one page of {@code --limit} rows (100) starting at a
 * customer key drawn uniformly from {@code c-1 .. c-n}, one request after the other on a keep-alive connection
 * ({@link KeepAliveHttp}), a warmup and then a measured window. Keys are in byte order, so a start key is a uniformly
 * random point of the key space and pages near its end come back short ({@code avg_rows} shows it). Prints one phase
 * line {@code scan}: pages/s, rows/s, average rows per page, errors and latency percentiles (ms).
 *
 * <pre>
 * ScanLoad --base http://127.0.0.1:18081 --path '/customer_stats?from={from}&amp;limit={limit}' --label pg
 *   [--limit 100] [--threads 2] [--seconds 5] [--warmup 1] [--customers 100000] [--seed 11]
 *   [--row-field customer_id]
 * </pre>
 *
 * Rows are counted by the occurrences of {@code "<row-field>":} in the body, which works for a bare JSON array of
 * row objects and for {@code {"rows":[...]}} alike, without the CPU of parsing every page. Any status but 200 is an
 * error.
 */
public final class ScanLoad {
    private ScanLoad() {
    }

    /** The command line ({@code --name value} or {@code --name=value}). */
    @Command(name = "ScanLoad")
    static final class Args {
        @Option(names = "--base", required = true)
        String base;
        @Option(names = "--path", required = true)
        String path;
        @Option(names = "--label", required = true)
        String label;
        @Option(names = "--limit", defaultValue = "100")
        int limit;
        @Option(names = "--threads", defaultValue = "2")
        int threads;
        @Option(names = "--customers", defaultValue = "100000")
        int customers;
        @Option(names = "--row-field", defaultValue = "customer_id")
        String rowField;
        @Option(names = "--warmup", defaultValue = "1")
        double warmup;
        @Option(names = "--seconds", defaultValue = "5")
        double seconds;
        @Option(names = "--seed", defaultValue = "11")
        long seed;
    }

    public static void main(String[] args) throws Exception {
        Args o = CommandLine.populateCommand(new Args(), args);
        URI base = URI.create(o.base);
        byte[] rowMarker = ("\"" + o.rowField + "\":").getBytes(StandardCharsets.UTF_8);
        String prefix = base.getRawPath() == null ? "" : base.getRawPath();
        String template = prefix + o.path.replace("{limit}", Integer.toString(o.limit)).replace("{to}", "");

        TimedLoad.Result r = TimedLoad.run(o.threads, Duration.ofMillis((long) (o.warmup * 1000)),
                Duration.ofMillis((long) (o.seconds * 1000)), o.seed, index -> {
                    KeepAliveHttp http = KeepAliveHttp.forBase(base, Duration.ofSeconds(10));
                    return new TimedLoad.Client() {
                        @Override
                        public long call(SplittableRandom random) throws IOException {
                            String from = ZipfKeys.customerKey(1 + random.nextInt(o.customers));
                            KeepAliveHttp.Response page = http.get(template.replace("{from}",
                                    URLEncoder.encode(from, StandardCharsets.UTF_8)));
                            if (page.status() != 200) {
                                throw new IOException("HTTP " + page.status());
                            }
                            return occurrences(page.body(), rowMarker);
                        }

                        @Override
                        public void close() {
                            http.close();
                        }
                    };
                });
        PhaseLine line = PhaseLine.of(o.label, "scan").put("page_rows", o.limit).put("threads", o.threads)
                .put("seconds", r.seconds(), 1).put("pages", r.requests()).put("pages_per_s", r.perSecond(), 1)
                .put("rows_per_s", Math.round(r.items() / r.seconds()))
                .put("avg_rows", r.requests() == 0 ? Double.NaN : r.items() / (double) r.requests(), 1)
                .put("errors", r.errors());
        r.latency().writeTo(line);
        System.out.println(line);
    }

    /** How many times {@code needle} occurs in {@code haystack} (non-overlapping). */
    static int occurrences(byte[] haystack, byte[] needle) {
        int count = 0;
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            count++;
            i += needle.length - 1;
        }
        return count;
    }
}
