package dev.statefront.tests.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.app.kafka.EmbeddedKafka;
import dev.statefront.core.Position;
import dev.statefront.processor.ProcessorConfig;
import dev.statefront.processor.ProcessorServer;
import dev.statefront.proto.v1.GetRequest;
import dev.statefront.proto.v1.GetResponse;
import dev.statefront.proto.v1.Key;
import dev.statefront.proto.v1.QueryServiceGrpc;
import dev.statefront.proto.v1.Value;
import dev.statefront.testkit.OrderGenerator;
import dev.statefront.testkit.Oracle;
import dev.statefront.tests.support.Orders;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateway and state servers as separate JVM processes ({@code statefront run} with {@code roles=state-server} twice
 * and {@code roles=gateway} with {@code gateway.replicas}), talking over the internal gRPC ReplicaService: lookups
 * through the gateway equal the oracle, and keep working when one state server is killed with SIGKILL.
 */
@Tag("slow")
class SeparateProcessesTest {
    private static final int ORDERS = 20_000;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldServeLookupsFromStateServersInOtherProcessesAndSurviveLosingOne() throws Exception {
        Oracle oracle = new Oracle();
        List<Process> children = new ArrayList<>();
        try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0, 0)) {
            kafka.start();
            String bootstrap = kafka.bootstrapServers();
            Orders.createTopic(bootstrap, "orders", 4);
            Position produced;
            try (Orders orders = new Orders(bootstrap, "orders")) {
                OrderGenerator gen = new OrderGenerator(5, 2_000);
                for (int i = 0; i < ORDERS; i++) {
                    var o = gen.next();
                    oracle.add(o);
                    orders.send(o);
                }
                produced = orders.flush();
            }
            int replicaA = freePort();
            int replicaB = freePort();
            int grpc = freePort();
            Process a = start("state-a", bootstrap, "roles=state-server", "state.server.grpc.port=" + replicaA);
            children.add(a);
            Process b = start("state-b", bootstrap, "roles=state-server", "state.server.grpc.port=" + replicaB);
            children.add(b);
            Process gateway = start("gateway", bootstrap, "roles=gateway", "rest.port=0", "grpc.port=" + grpc,
                    "gateway.replicas=127.0.0.1:" + replicaA + ",127.0.0.1:" + replicaB);
            children.add(gateway);
            try (ProcessorServer processor = new ProcessorServer(new ProcessorConfig(bootstrap, "statefront",
                    dir.resolve("processor"), Orders.DEMO_SQL, 4, (short) 1, 200, Map.of()))) {
                processor.start();
                ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpc).usePlaintext().build();
                try {
                    QueryServiceGrpc.QueryServiceBlockingStub stub = QueryServiceGrpc.newBlockingStub(channel);
                    Map<String, Oracle.CustomerStats> expected = oracle.customerStats();
                    List<String> ids = new ArrayList<>(expected.keySet()).subList(0, 200);
                    awaitLookups(stub, ids, expected, produced, children);

                    a.destroyForcibly(); // SIGKILL one state server: the gateway skips it for the other
                    assertTrue(a.waitFor(30, TimeUnit.SECONDS));
                    for (String id : ids) {
                        GetResponse r = get(stub, id, produced);
                        assertEquals(expected.get(id).orderCount(), r.getRow().getValues(1).getInt64Value(), id);
                    }
                } finally {
                    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            }
        } finally {
            for (Process p : children) {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private static GetResponse get(QueryServiceGrpc.QueryServiceBlockingStub stub, String id, Position min) {
        return stub.withDeadlineAfter(10, TimeUnit.SECONDS).get(GetRequest.newBuilder().setView("customer_stats")
                .setKey(Key.newBuilder().addValues(Value.newBuilder().setStringValue(id)))
                .setMinPosition(min.token()).build());
    }

    private void awaitLookups(QueryServiceGrpc.QueryServiceBlockingStub stub, List<String> ids,
                              Map<String, Oracle.CustomerStats> expected, Position produced, List<Process> children)
            throws Exception {
        long deadline = System.currentTimeMillis() + 180_000;
        StatusRuntimeException last = null;
        while (System.currentTimeMillis() < deadline) {
            for (Process p : children) {
                assertTrue(p.isAlive(), () -> "a child exited: " + logs());
            }
            try {
                for (String id : ids) {
                    GetResponse r = get(stub, id, produced);
                    assertTrue(r.getFound(), id);
                    assertEquals(expected.get(id).orderCount(), r.getRow().getValues(1).getInt64Value(), id);
                    assertEquals(expected.get(id).totalCents(), r.getRow().getValues(2).getInt64Value(), id);
                }
                return;
            } catch (StatusRuntimeException e) {
                last = e;
                Thread.sleep(300);
            }
        }
        throw new AssertionError("lookups through the gateway process never succeeded: " + last + "\n" + logs(), last);
    }

    private Process start(String name, String bootstrap, String... sets) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-cp", System.getProperty("java.class.path"), "dev.statefront.app.StatefrontMain", "run",
                "--set", "kafka.bootstrap.servers=" + bootstrap,
                "--set", "data.dir=" + dir.resolve(name + "-data"),
                "--set", "rest.host=127.0.0.1"));
        for (String s : sets) {
            cmd.add("--set");
            cmd.add(s);
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
    }

    private String logs() {
        StringBuilder sb = new StringBuilder();
        for (String n : List.of("state-a", "state-b", "gateway")) {
            try {
                String log = Files.readString(dir.resolve(n + ".log"));
                sb.append("--- ").append(n).append(" ---\n").append(log, Math.max(0, log.length() - 4000), log.length());
            } catch (IOException e) {
                sb.append("--- ").append(n).append(": no log\n");
            }
        }
        return sb.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
