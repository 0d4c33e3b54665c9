package dev.statefront.testkit.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Waits until a system has consumed its input topic to the end: appends one order per partition, each with a key
 * that Kafka's default partitioner (murmur2) puts on that partition, then polls the system's point lookup until all
 * of them are visible. Used before a freshness measurement that must not queue behind a backlog (e.g. the load
 * earlier systems' freshness phases appended after the bench's sentinels). The keys start with {@code probe-}, which
 * the bench's correctness check ignores. Prints one phase line {@code drain} and exits with 2 on timeout.
 *
 * <pre>
 * AwaitTopicEnd --bootstrap 127.0.0.1:19092 --base http://127.0.0.1:18081 --point-path '/customer_stats/{key}'
 *   --label pg [--topic orders] [--timeout-s 600]
 * </pre>
 */
public final class AwaitTopicEnd {
    private AwaitTopicEnd() {
    }

    /** The command line ({@code --name value} or {@code --name=value}). */
    @Command(name = "AwaitTopicEnd")
    static final class Args {
        @Option(names = "--label", required = true)
        String label;
        @Option(names = "--topic", defaultValue = "orders")
        String topic;
        @Option(names = "--base", required = true)
        String base;
        @Option(names = "--point-path", required = true)
        String pointPath;
        @Option(names = "--timeout-s", defaultValue = "600")
        long timeoutS;
        @Option(names = "--bootstrap", required = true)
        String bootstrap;
    }

    public static void main(String[] args) throws Exception {
        Args o = CommandLine.populateCommand(new Args(), args);
        URI base = URI.create(o.base);
        String pointPath = (base.getRawPath() == null ? "" : base.getRawPath()) + o.pointPath;
        long timeoutNanos = Duration.ofSeconds(o.timeoutS).toNanos();
        String run = Long.toString(System.currentTimeMillis(), 36);

        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        long start = System.nanoTime();
        List<String> pending = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                new StringSerializer())) {
            int partitions = producer.partitionsFor(o.topic).size();
            for (int partition = 0; partition < partitions; partition++) {
                String key = keyForPartition("probe-end-" + run + "-p" + partition + "-", partition, partitions);
                long ts = System.currentTimeMillis();
                producer.send(new ProducerRecord<>(o.topic, null, ts, key, "{\"order_id\":\"" + key
                        + "\",\"customer_id\":\"" + key + "\",\"region\":\"us-east\",\"amount_cents\":100,"
                        + "\"currency\":\"USD\",\"status\":\"placed\",\"ts\":" + ts + "}"));
                pending.add(key);
            }
            producer.flush();
        }
        int partitions = pending.size();
        try (KeepAliveHttp http = KeepAliveHttp.forBase(base, Duration.ofSeconds(10))) {
            while (!pending.isEmpty() && System.nanoTime() - start < timeoutNanos) {
                pending.removeIf(key -> visible(http, pointPath.replace("{key}",
                        URLEncoder.encode(key, StandardCharsets.UTF_8))));
                if (!pending.isEmpty()) {
                    Thread.sleep(50);
                }
            }
        }
        boolean ok = pending.isEmpty();
        System.out.println(PhaseLine.of(o.label, "drain").put("ok", ok).put("partitions", partitions)
                .put("seconds", (System.nanoTime() - start) / 1e9, 3));
        System.exit(ok ? 0 : 2);
    }

    /** The first key {@code prefix + i} (i = 0, 1, ...) that the default partitioner puts on {@code partition}. */
    static String keyForPartition(String prefix, int partition, int partitions) {
        for (int i = 0; ; i++) {
            String key = prefix + i;
            if (Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions == partition) {
                return key;
            }
        }
    }

    private static boolean visible(KeepAliveHttp http, String target) {
        try {
            return http.get(target).status() == 200;
        } catch (IOException e) {
            return false;
        }
    }
}
