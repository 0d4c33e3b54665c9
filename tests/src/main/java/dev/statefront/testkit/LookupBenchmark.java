package dev.statefront.testkit;

import dev.statefront.app.kafka.EmbeddedKafka;
import dev.statefront.gateway.GatewayConfig;
import dev.statefront.gateway.GatewayServer;
import dev.statefront.processor.ProcessorConfig;
import dev.statefront.processor.ProcessorServer;
import dev.statefront.proto.v1.DescribeViewRequest;
import dev.statefront.proto.v1.GetRequest;
import dev.statefront.proto.v1.Key;
import dev.statefront.proto.v1.QueryServiceGrpc;
import dev.statefront.proto.v1.Value;
import dev.statefront.state.server.StateServer;
import dev.statefront.state.server.StateServerConfig;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Measures unary point lookups through the gateway, over gRPC and over REST (keep-alive HTTP/1.1), with K client
 * threads on loopback while the processor ingests a steady trickle of orders. Not a test: a command that prints
 * throughput and latency percentiles.
 *
 * <pre>
 * scripts/bench-lookups.sh [orders=200000] [threads=16] [seconds=20] [trickle-per-second=2000]
 * </pre>
 */
public final class LookupBenchmark {
    private static final String SQL = """
            CREATE SOURCE orders (order_id VARCHAR, customer_id VARCHAR, region VARCHAR,
                                  amount_cents BIGINT, status VARCHAR, ts TIMESTAMP)
              WITH (topic = 'orders', format = 'json', timestamp = 'ts', key = 'customer_id');
            CREATE MATERIALIZED VIEW customer_stats AS
              SELECT customer_id, COUNT(*) AS order_count, SUM(amount_cents) AS total_cents,
                     MAX(amount_cents) AS max_cents, MAX(ts) AS last_ts
              FROM orders WHERE status = 'placed' GROUP BY customer_id;
            CREATE MATERIALIZED VIEW region_status AS
              SELECT region, status, COUNT(*) AS n, AVG(amount_cents) AS avg_cents
              FROM orders GROUP BY region, status;
            """;

    private LookupBenchmark() {
    }

    /** One measured phase. */
    private record Result(String name, long calls, long errors, double seconds, long[] latenciesNanos) {
        void print() {
            Arrays.sort(latenciesNanos);
            System.out.printf("%-5s %8.0f calls/s  p50 %6.3f ms  p99 %6.3f ms  p99.9 %6.3f ms  (%d calls, %d errors, "
                            + "%.1f s)%n", name, calls / seconds, pct(0.50), pct(0.99), pct(0.999), calls, errors,
                    seconds);
        }

        double pct(double p) {
            if (latenciesNanos.length == 0) {
                return Double.NaN;
            }
            return latenciesNanos[(int) Math.min(latenciesNanos.length - 1, Math.floor(p * latenciesNanos.length))]
                    / 1e6;
        }
    }

    /** A lookup; returns false for an error answer. */
    private interface Call {
        boolean call(String customerId) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int orders = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int trickle = args.length > 3 ? Integer.parseInt(args[3]) : 2_000;
        int customers = Math.max(1, orders / 10);
        Path dir = Files.createTempDirectory("statefront-bench-");
        System.out.printf("orders=%d customers=%d threads=%d seconds=%d trickle=%d/s cpus=%d dir=%s%n", orders,
                customers, threads, seconds, trickle, Runtime.getRuntime().availableProcessors(), dir);
        try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0, 0)) {
            kafka.start();
            String bootstrap = kafka.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.createTopics(List.of(new NewTopic("orders", 4, (short) 1))).all().get();
            }
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            OrderGenerator gen = new OrderGenerator(1, customers);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                    new StringSerializer());
                 ProcessorServer processor = new ProcessorServer(new ProcessorConfig(bootstrap, "statefront",
                         dir.resolve("processor"), SQL, 4, (short) 1, 200, Map.of()));
                 StateServer state = new StateServer(new StateServerConfig(bootstrap, "statefront",
                         dir.resolve("replica"), Map.of(), Duration.ofSeconds(5)));
                 GatewayServer gateway = new GatewayServer(new GatewayConfig("127.0.0.1", 0, bootstrap, "statefront",
                         Map.of(), 1 << 20, 0), state)) {
                long t0 = System.nanoTime();
                for (int i = 0; i < orders; i++) {
                    Order o = gen.next();
                    var md = producer.send(new ProducerRecord<>("orders", o.customerId(), o.toJson()));
                    if (i == orders - 1) {
                        md.get();
                    }
                }
                producer.flush();
                processor.start();
                state.start();
                gateway.start();
                ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort())
                        .usePlaintext().build();
                QueryServiceGrpc.QueryServiceBlockingStub stub = QueryServiceGrpc.newBlockingStub(channel);
                awaitRows(stub, customers);
                System.out.printf("pipeline caught up with %d orders in %.1f s%n", orders,
                        (System.nanoTime() - t0) / 1e9);

                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong trickled = new AtomicLong();
                Thread ingest = new Thread(() -> {
                    long next = System.nanoTime();
                    while (!stop.get()) {
                        Order o = gen.next();
                        producer.send(new ProducerRecord<>("orders", o.customerId(), o.toJson()));
                        trickled.incrementAndGet();
                        next += 1_000_000_000L / trickle;
                        long sleep = next - System.nanoTime();
                        if (sleep > 0) {
                            try {
                                TimeUnit.NANOSECONDS.sleep(sleep);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }
                }, "bench-trickle");
                ingest.start();

                Call grpc = id -> {
                    stub.withDeadlineAfter(5, TimeUnit.SECONDS).get(GetRequest.newBuilder().setView("customer_stats")
                            .setKey(Key.newBuilder().addValues(Value.newBuilder().setStringValue(id))).build());
                    return true;
                };
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5)).build();
                String base = "http://127.0.0.1:" + gateway.port() + "/v1/views/customer_stats/rows/";
                Call rest = id -> {
                    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + id))
                            .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                    return r.statusCode() == 200 || r.statusCode() == 404;
                };
                run("warm", grpc, threads, Math.max(2, seconds / 4), customers);
                run("warm", rest, threads, Math.max(2, seconds / 4), customers);
                List<Result> results = new ArrayList<>();
                results.add(run("gRPC", grpc, threads, seconds, customers));
                results.add(run("REST", rest, threads, seconds, customers));
                stop.set(true);
                ingest.join();
                System.out.printf("%nunary Get of customer_stats by key, %d client threads over loopback, while the "
                        + "processor ingested %d orders (%d/s):%n", threads, trickled.get(), trickle);
                results.forEach(Result::print);
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        // a command, not a library: the MCP SDK leaves a non-daemon session sweeper thread behind after close
        System.exit(0);
    }

    private static void awaitRows(QueryServiceGrpc.QueryServiceBlockingStub stub, int customers) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        long rows = 0;
        long stable = 0;
        while (System.nanoTime() < deadline) {
            try {
                long now = stub.withDeadlineAfter(5, TimeUnit.SECONDS).describeView(DescribeViewRequest.newBuilder()
                        .setView("customer_stats").build()).getView().getRowCount();
                stable = now == rows && now > 0 ? stable + 1 : 0;
                rows = now;
                if (stable >= 4 || rows >= customers) {
                    return;
                }
            } catch (RuntimeException e) {
                // not serving yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the pipeline did not catch up within 10 minutes (rows " + rows + ")");
    }

    private static Result run(String name, Call call, int threads, int seconds, int customers) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long[][] lat = new long[threads][];
        long[] counts = new long[threads];
        long[] errors = new long[threads];
        Thread[] ts = new Thread[threads];
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int idx = t;
            ts[t] = new Thread(() -> {
                long[] l = new long[1 << 16];
                int n = 0;
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (System.nanoTime() < end) {
                    String id = "c-" + (1 + rnd.nextInt(customers));
                    long t0 = System.nanoTime();
                    boolean ok;
                    try {
                        ok = call.call(id);
                    } catch (Exception e) {
                        ok = false;
                    }
                    long d = System.nanoTime() - t0;
                    if (!ok) {
                        errors[idx]++;
                    }
                    if (n == l.length) {
                        l = Arrays.copyOf(l, l.length * 2);
                    }
                    l[n++] = d;
                }
                lat[idx] = Arrays.copyOf(l, n);
                counts[idx] = n;
            }, "bench-" + name + "-" + t);
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        long total = Arrays.stream(counts).sum();
        long[] all = new long[(int) total];
        int pos = 0;
        for (long[] l : lat) {
            System.arraycopy(l, 0, all, pos, l.length);
            pos += l.length;
        }
        return new Result(name, total, Arrays.stream(errors).sum(), secs, all);
    }
}
