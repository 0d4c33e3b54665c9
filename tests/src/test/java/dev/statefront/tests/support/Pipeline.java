package dev.statefront.tests.support;

import dev.statefront.app.StatefrontServer;
import dev.statefront.app.kafka.EmbeddedKafka;
import dev.statefront.core.Position;
import dev.statefront.gateway.GatewayConfig;
import dev.statefront.gateway.GatewayServer;
import dev.statefront.processor.ProcessorConfig;
import dev.statefront.processor.ProcessorServer;
import dev.statefront.state.server.StateServer;
import dev.statefront.state.server.StateServerConfig;
import dev.statefront.testkit.Order;
import dev.statefront.testkit.OrderGenerator;
import dev.statefront.testkit.Oracle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The whole system in one JVM for end-to-end tests: a real KRaft broker with the {@code orders} topic (4 partitions),
 * seeded orders (with their oracle), then the processor, the state server and the gateway (REST and gRPC on
 * ephemeral ports). Closing stops everything in reverse order.
 */
public final class Pipeline implements AutoCloseable {
    private final EmbeddedKafka kafka;
    private final Oracle oracle = new Oracle();
    private Position produced = Position.EMPTY;
    private ProcessorServer processor;
    private StateServer stateServer;
    private GatewayServer gateway;

    private Pipeline(EmbeddedKafka kafka) {
        this.kafka = kafka;
    }

    /** A running broker under {@code dir}/kafka with an empty {@code orders} topic. */
    public static Pipeline broker(Path dir) throws Exception {
        EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0, 0);
        kafka.start();
        Pipeline p = new Pipeline(kafka);
        Orders.createTopic(kafka.bootstrapServers(), "orders", 4);
        return p;
    }

    /**
     * Produces {@code count} seeded orders (added to the oracle); {@code afterEach}, if not null, sees each order
     * with its index and may send more records (which the oracle does not know). Returns the position after them.
     */
    public Position produce(long seed, int customers, int count, BiConsumer<Order, Orders> afterEach)
            throws Exception {
        try (Orders orders = new Orders(kafka.bootstrapServers(), "orders")) {
            OrderGenerator gen = new OrderGenerator(seed, customers);
            for (int i = 0; i < count; i++) {
                Order o = gen.next();
                oracle.add(o);
                orders.send(o);
                if (afterEach != null) {
                    afterEach.accept(o, orders);
                }
            }
            produced = produced.merge(orders.flush());
        }
        return produced;
    }

    /** Starts the processor on {@code sql}, the state server and the gateway (gRPC too). */
    public Pipeline startRoles(Path dir, String sql, boolean changeSchemas) {
        return startRoles(dir, sql, changeSchemas, false);
    }

    /**
     * Starts the processor on {@code sql}, the state server and the gateway (gRPC too); with {@code handoff} the
     * processor hands its committed changes to the state server, as in one {@code statefront run} process.
     */
    public Pipeline startRoles(Path dir, String sql, boolean changeSchemas, boolean handoff) {
        String bootstrap = kafka.bootstrapServers();
        processor = new ProcessorServer(new ProcessorConfig(bootstrap, "statefront", dir.resolve("processor"), sql, 4,
                (short) 1, 200, Map.of(), changeSchemas));
        stateServer = new StateServer(new StateServerConfig(bootstrap, "statefront", dir.resolve("replica"), Map.of(),
                Duration.ofSeconds(5)));
        if (handoff) {
            processor.onCommitted(StatefrontServer.handOffTo(stateServer));
        }
        processor.start();
        stateServer.start();
        gateway = new GatewayServer(new GatewayConfig("127.0.0.1", 0, bootstrap, "statefront", Map.of(),
                10 * 1024 * 1024, 0), stateServer);
        gateway.start();
        return this;
    }

    /** Waits (bounded) until {@code view} answers reads at the produced position. */
    public void awaitCaughtUp(String view) throws InterruptedException {
        RestClient rest = rest();
        long deadline = System.currentTimeMillis() + 180_000;
        while (rest.get("/v1/views/" + view + "/rows?limit=1&wait_ms=2000&min_position="
                + RestClient.enc(produced.token())).status() != 200) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("view " + view + " did not reach " + produced + " in 180 s");
            }
            Thread.sleep(100);
        }
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public Oracle oracle() {
        return oracle;
    }

    /** The position after every order produced so far. */
    public Position produced() {
        return produced;
    }

    public ProcessorServer processor() {
        return processor;
    }

    public StateServer stateServer() {
        return stateServer;
    }

    public GatewayServer gateway() {
        return gateway;
    }

    /** A REST client of the gateway. */
    public RestClient rest() {
        return new RestClient("http://127.0.0.1:" + gateway.port());
    }

    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[] {gateway, processor, stateServer, kafka}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }
}
