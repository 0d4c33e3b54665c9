package dev.statefront.tests.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.app.kafka.EmbeddedKafka;
import dev.statefront.gateway.GatewayConfig;
import dev.statefront.gateway.GatewayServer;
import dev.statefront.processor.ProcessorConfig;
import dev.statefront.processor.ProcessorServer;
import dev.statefront.proto.v1.ChangeEvent;
import dev.statefront.proto.v1.QueryServiceGrpc;
import dev.statefront.proto.v1.SnapshotStart;
import dev.statefront.proto.v1.SubscribeRequest;
import dev.statefront.proto.v1.SubscribeResponse;
import dev.statefront.proto.v1.Value;
import dev.statefront.state.server.StateServer;
import dev.statefront.state.server.StateServerConfig;
import dev.statefront.testkit.Order;
import dev.statefront.testkit.OrderGenerator;
import dev.statefront.testkit.Oracle;
import dev.statefront.tests.support.Orders;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QueryService.Subscribe against the real system: snapshot, then changes while orders flow; folded, the stream
 * equals the oracle. Cut mid-stream and resumed with the last token, it is still exact (nothing lost or twice).
 */
class GrpcSubscribeTest {
    @TempDir
    Path dir;

    /** customer_id → order_count, folded from the stream. */
    private final Map<String, Long> folded = new TreeMap<>();
    private String lastToken;
    private long snapshotRows = -1;

    @Test
    void shouldStreamSnapshotThenChangesAndResumeExactlyFromAToken() throws Exception {
        Oracle oracle = new Oracle();
        OrderGenerator gen = new OrderGenerator(11, 2_000);
        try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0, 0)) {
            kafka.start();
            String bootstrap = kafka.bootstrapServers();
            Orders.createTopic(bootstrap, "orders", 4);
            try (Orders orders = new Orders(bootstrap, "orders");
                 ProcessorServer processor = new ProcessorServer(new ProcessorConfig(bootstrap, "statefront",
                         dir.resolve("processor"), Orders.DEMO_SQL, 4, (short) 1, 200, Map.of()));
                 StateServer state = new StateServer(new StateServerConfig(bootstrap, "statefront",
                         dir.resolve("replica"), Map.of(), Duration.ofSeconds(5)));
                 GatewayServer gateway = new GatewayServer(new GatewayConfig("127.0.0.1", 0, bootstrap, "statefront",
                         Map.of(), 1 << 20, 0), state)) {
                produce(orders, gen, oracle, 10_000);
                dev.statefront.core.Position firstBatch = orders.flush();
                processor.start();
                state.start();
                gateway.start();
                ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort())
                        .usePlaintext().build();
                try {
                    QueryServiceGrpc.QueryServiceBlockingStub stub = QueryServiceGrpc.newBlockingStub(channel);
                    awaitPosition(stub, firstBatch); // the snapshot then holds the first 10,000 orders
                    // 1: from a snapshot while more orders arrive; cut the stream part-way through the changes
                    Context.CancellableContext first = Context.current().withCancellation();
                    Thread more = new Thread(() -> produce(orders, gen, oracle, 10_000));
                    first.run(() -> {
                        Iterator<SubscribeResponse> it = stub.subscribe(SubscribeRequest.newBuilder()
                                .setView("customer_stats").setSnapshot(SnapshotStart.getDefaultInstance()).build());
                        int changesAfterSnapshot = 0;
                        while (it.hasNext()) {
                            SubscribeResponse r = it.next();
                            apply(r);
                            if (r.hasSnapshotComplete() && !more.isAlive()) {
                                more.start();
                            }
                            if (snapshotRows >= 0 && r.hasChange() && ++changesAfterSnapshot == 300) {
                                break;
                            }
                        }
                    });
                    first.cancel(null);
                    assertTrue(snapshotRows > 0, "a snapshot came first");
                    more.join(60_000);
                    orders.flush();

                    // 2: resume after the last event seen; fold until equal to the oracle
                    Map<String, Long> expected = new TreeMap<>();
                    oracle.customerStats().forEach((k, v) -> expected.put(k, v.orderCount()));
                    Iterator<SubscribeResponse> resumed = stub.withDeadlineAfter(120, TimeUnit.SECONDS)
                            .subscribe(SubscribeRequest.newBuilder().setView("customer_stats")
                                    .setResumeToken(lastToken).build());
                    while (!folded.equals(expected)) {
                        SubscribeResponse r = resumed.next();
                        assertFalse(r.hasSnapshotComplete(), "a resumed stream has no snapshot");
                        apply(r);
                    }
                    assertEquals(expected, folded);
                } finally {
                    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
                }

                StatusRuntimeException unknown = org.junit.jupiter.api.Assertions.assertThrows(
                        StatusRuntimeException.class, () -> {
                            ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort())
                                    .usePlaintext().build();
                            try {
                                QueryServiceGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS)
                                        .subscribe(SubscribeRequest.newBuilder().setView("nope").build()).hasNext();
                            } finally {
                                c.shutdownNow();
                            }
                        });
                assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
            }
        }
    }

    private static void awaitPosition(QueryServiceGrpc.QueryServiceBlockingStub stub,
                                      dev.statefront.core.Position position) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) {
            try {
                stub.withDeadlineAfter(5, TimeUnit.SECONDS).get(dev.statefront.proto.v1.GetRequest.newBuilder()
                        .setView("customer_stats").setMinPosition(position.token())
                        .setKey(dev.statefront.proto.v1.Key.newBuilder().addValues(Value.newBuilder()
                                .setStringValue("c-1"))).build());
                return;
            } catch (StatusRuntimeException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private void apply(SubscribeResponse r) {
        if (r.hasSnapshotComplete()) {
            snapshotRows = r.getSnapshotComplete().getRows();
            lastToken = r.getSnapshotComplete().getToken();
            return;
        }
        if (r.hasHeartbeat()) {
            if (!r.getHeartbeat().getToken().isEmpty()) {
                lastToken = r.getHeartbeat().getToken();
            }
            return;
        }
        ChangeEvent c = r.getChange();
        String key = c.getKey().getValues(0).getStringValue();
        if (c.getOp() == ChangeEvent.Op.OP_DELETE) {
            folded.remove(key);
        } else {
            Value n = c.getAfter().getValues(1);
            folded.put(key, n.getInt64Value());
        }
        if (!c.getToken().isEmpty()) {
            lastToken = c.getToken();
        }
    }

    private static void produce(Orders orders, OrderGenerator gen, Oracle oracle, int n) {
        for (int i = 0; i < n; i++) {
            Order o;
            synchronized (gen) {
                o = gen.next();
                oracle.add(o);
            }
            orders.send(o);
        }
    }
}
