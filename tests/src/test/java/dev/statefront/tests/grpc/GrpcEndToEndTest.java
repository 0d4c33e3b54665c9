package dev.statefront.tests.grpc;

import static dev.statefront.tests.support.RestClient.enc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.statefront.app.StatefrontMain;
import dev.statefront.app.kafka.EmbeddedKafka;
import dev.statefront.core.Json;
import dev.statefront.core.JsonValues;
import dev.statefront.core.Position;
import dev.statefront.gateway.GatewayServer;
import dev.statefront.processor.ProcessorServer;
import dev.statefront.proto.v1.BatchGetRequest;
import dev.statefront.proto.v1.BatchGetResponse;
import dev.statefront.proto.v1.DescribeViewRequest;
import dev.statefront.proto.v1.Event;
import dev.statefront.proto.v1.GetRequest;
import dev.statefront.proto.v1.GetResponse;
import dev.statefront.proto.v1.IngestServiceGrpc;
import dev.statefront.proto.v1.Key;
import dev.statefront.proto.v1.ListViewsRequest;
import dev.statefront.proto.v1.ProduceRequest;
import dev.statefront.proto.v1.ProduceResponse;
import dev.statefront.proto.v1.QueryServiceGrpc;
import dev.statefront.proto.v1.Row;
import dev.statefront.proto.v1.ScanRequest;
import dev.statefront.proto.v1.ScanResponse;
import dev.statefront.proto.v1.Value;
import dev.statefront.state.server.StateServer;
import dev.statefront.testkit.Oracle;
import dev.statefront.tests.support.Orders;
import dev.statefront.tests.support.Pipeline;
import dev.statefront.tests.support.RestClient;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The gRPC API end to end with the generated stubs against the real system (KRaft broker, processor, state server,
 * gateway reaching it over the in-process ReplicaService): answers equal REST's and the oracle's, scans stream in
 * key order across partitions and resume from cursors, errors carry google.rpc details, reflection and health work
 * for generic tools, and the command-line client prints what the API answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class GrpcEndToEndTest {
    private static final int ORDERS = 30_000;

    @TempDir
    static Path dir;
    private EmbeddedKafka kafka;
    private ProcessorServer processor;
    private StateServer stateServer;
    private GatewayServer gateway;
    private ManagedChannel channel;
    private QueryServiceGrpc.QueryServiceBlockingStub query;
    private RestClient rest;
    private Pipeline pipeline;
    private Oracle oracle;
    private Position produced;

    @BeforeAll
    void start() throws Exception {
        pipeline = Pipeline.broker(dir);
        oracle = pipeline.oracle();
        produced = pipeline.produce(11, 4_000, ORDERS, null);
        pipeline.startRoles(dir, Orders.DEMO_SQL, false);
        kafka = pipeline.kafka();
        processor = pipeline.processor();
        stateServer = pipeline.stateServer();
        gateway = pipeline.gateway();
        rest = pipeline.rest();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort()).usePlaintext().build();
        query = QueryServiceGrpc.newBlockingStub(channel);
        awaitCaughtUp();
    }

    @AfterAll
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    private QueryServiceGrpc.QueryServiceBlockingStub q() {
        return query.withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** Waits (bounded) until both views reflect every produced order, through gRPC min_position. */
    private void awaitCaughtUp() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 180_000;
        while (true) {
            try {
                q().describeView(DescribeViewRequest.newBuilder().setView("customer_stats")
                        .setMinPosition(produced.token()).build());
                q().describeView(DescribeViewRequest.newBuilder().setView("region_status")
                        .setMinPosition(produced.token()).build());
                return;
            } catch (StatusRuntimeException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("views not caught up in 180 s", e);
                }
                Thread.sleep(200);
            }
        }
    }

    private static Key key(String... values) {
        Key.Builder k = Key.newBuilder();
        for (String v : values) {
            k.addValues(Value.newBuilder().setStringValue(v));
        }
        return k.build();
    }

    private static String str(Row r, int i) {
        return r.getValues(i).getStringValue();
    }

    private static long num(Row r, int i) {
        return r.getValues(i).getInt64Value();
    }

    private List<Row> scanAll(ScanRequest request, List<ScanResponse> messages) {
        List<Row> rows = new ArrayList<>();
        Iterator<ScanResponse> it = q().scan(request);
        while (it.hasNext()) {
            ScanResponse m = it.next();
            messages.add(m);
            rows.addAll(m.getRowsList());
        }
        return rows;
    }

    @Test
    void shouldAnswerGetAndBatchGetLikeRestAndTheOracle() {
        Map<String, Oracle.CustomerStats> expected = oracle.customerStats();
        for (String id : List.of("c-1", "c-17", "c-2999", "nobody")) {
            GetResponse r = q().get(GetRequest.newBuilder().setView("customer_stats").setKey(key(id))
                    .setMinPosition(produced.token()).build());
            RestClient.Response viaRest = rest.get("/v1/views/customer_stats/rows/" + id + "?min_position="
                    + enc(produced.token()));
            Oracle.CustomerStats e = expected.get(id);
            assertEquals(e != null, r.getFound(), id);
            assertEquals(e != null ? 200 : 404, viaRest.status(), id);
            Position answered = Position.fromToken(r.getPosition());
            assertFalse(answered.isEmpty(), "every answer has a position");
            answered.asMap().forEach((tp, offset) -> assertTrue(offset >= produced.asMap().getOrDefault(tp, 0L),
                    "the answer's partition reflects min_position: " + tp));
            assertTrue(r.getFreshness().hasAsOf(), "freshness known");
            if (e == null) {
                continue;
            }
            Row row = r.getRow();
            JsonNode restRow = viaRest.body().get("row");
            assertEquals(id, str(row, 0));
            assertEquals(e.orderCount(), num(row, 1));
            assertEquals(e.totalCents(), num(row, 2));
            assertEquals(e.maxCents(), num(row, 3));
            assertEquals(e.lastTs(), row.getValues(4).getTimestampValue().getSeconds() * 1000
                    + row.getValues(4).getTimestampValue().getNanos() / 1_000_000);
            assertEquals(restRow.get("order_count").asLong(), num(row, 1));
            assertEquals(restRow.get("last_ts").asText(), JsonValues.formatTimestamp(e.lastTs()));
        }
        BatchGetResponse batch = q().batchGet(BatchGetRequest.newBuilder().setView("region_status")
                .addKeys(key("eu-west", "placed")).addKeys(key("nowhere", "placed")).addKeys(key("us-east", "cancelled"))
                .build());
        assertEquals(3, batch.getResultsCount());
        Map<String, Oracle.RegionStatus> regions = oracle.regionStatus();
        assertEquals(regions.get("eu-west|placed").n(), num(batch.getResults(0).getRow(), 2));
        assertFalse(batch.getResults(1).getFound());
        assertEquals("nowhere", batch.getResults(1).getKey().getValues(0).getStringValue());
        assertEquals(regions.get("us-east|cancelled").avgCents(),
                batch.getResults(2).getRow().getValues(3).getDoubleValue(), 0.0);
        RestClient.Response restBatch = rest.post("/v1/views/region_status/rows:batchGet",
                "{\"keys\": [[\"eu-west\", \"placed\"], [\"nowhere\", \"placed\"], [\"us-east\", \"cancelled\"]]}");
        assertEquals(restBatch.body().get("rows").get(0).get("row").get("n").asLong(),
                num(batch.getResults(0).getRow(), 2));
    }

    @Test
    void shouldStreamAScanLargerThanOneMessageInKeyOrderAndResumeFromACursor() {
        Map<String, Oracle.CustomerStats> expected = oracle.customerStats();
        List<ScanResponse> messages = new ArrayList<>();
        List<Row> rows = scanAll(ScanRequest.newBuilder().setView("customer_stats").setBatchSize(97).build(),
                messages);
        assertTrue(messages.size() > 10, "many messages: " + messages.size());
        assertEquals(expected.size(), rows.size());
        int i = 0;
        for (Oracle.CustomerStats e : expected.values()) {
            Row row = rows.get(i++);
            assertEquals(e.customerId(), str(row, 0), "key order at row " + i);
            assertEquals(e.orderCount(), num(row, 1), e.customerId());
            assertEquals(e.totalCents(), num(row, 2), e.customerId());
        }
        assertTrue(messages.get(messages.size() - 1).getNextCursor().isEmpty(), "the last message ends the range");

        // resume: stop after 3 messages (limit), then continue from the cursor of the last one received
        List<ScanResponse> first = new ArrayList<>();
        List<Row> head = scanAll(ScanRequest.newBuilder().setView("customer_stats").setBatchSize(97).setLimit(291)
                .build(), first);
        assertEquals(291, head.size());
        String cursor = first.get(first.size() - 1).getNextCursor();
        assertFalse(cursor.isEmpty());
        List<Row> tail = scanAll(ScanRequest.newBuilder().setView("customer_stats").setBatchSize(1000)
                .setCursor(cursor).build(), new ArrayList<>());
        List<Row> joined = new ArrayList<>(head);
        joined.addAll(tail);
        assertEquals(rows, joined, "head + resumed tail = the whole scan");

        // the REST cursor works too, and REST pages equal the gRPC rows
        RestClient.Response page = rest.get("/v1/views/customer_stats/rows?limit=50&from=c-3&cursor=");
        List<Row> fromC3 = scanAll(ScanRequest.newBuilder().setView("customer_stats").setFrom(key("c-3"))
                .setLimit(50).build(), new ArrayList<>());
        for (int k = 0; k < 50; k++) {
            assertEquals(page.body().get("rows").get(k).get("customer_id").asText(), str(fromC3.get(k), 0));
        }
        List<Row> viaRestCursor = scanAll(ScanRequest.newBuilder().setView("customer_stats").setFrom(key("c-3"))
                .setCursor(page.body().get("next_cursor").asText()).setLimit(1).build(), new ArrayList<>());
        assertEquals(str(fromC3.get(49), 0).compareTo(str(viaRestCursor.get(0), 0)) < 0, true);
    }

    @Test
    void shouldScanPrefixesAndRangesOfCompositeKeys() {
        Map<String, Oracle.RegionStatus> regions = oracle.regionStatus();
        List<Row> eu = scanAll(ScanRequest.newBuilder().setView("region_status").setPrefix(key("eu-")).build(),
                new ArrayList<>());
        List<String> expected = regions.keySet().stream().filter(k -> k.startsWith("eu-")).toList();
        assertEquals(expected, eu.stream().map(r -> str(r, 0) + "|" + str(r, 1)).toList());
        List<Row> euWestPlaced = scanAll(ScanRequest.newBuilder().setView("region_status")
                .setPrefix(key("eu-west", "placed")).build(), new ArrayList<>());
        assertEquals(1, euWestPlaced.size());
        List<Row> range = scanAll(ScanRequest.newBuilder().setView("customer_stats").setFrom(key("c-3"))
                .setTo(key("c-31")).build(), new ArrayList<>());
        assertEquals(oracle.customerStats().keySet().stream().filter(k -> k.compareTo("c-3") >= 0
                && k.compareTo("c-31") < 0).toList(), range.stream().map(r -> str(r, 0)).toList());
    }

    @Test
    void shouldAnswerErrorsWithStatusCodesAndRpcDetails() throws Exception {
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                () -> q().get(GetRequest.newBuilder().setView("nope").setKey(key("x")).build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
        assertEquals("VIEW_NOT_FOUND", errorInfo(unknown).getReason());
        assertEquals("nope", errorInfo(unknown).getMetadataOrThrow("view"));

        StatusRuntimeException arity = assertThrows(StatusRuntimeException.class,
                () -> q().get(GetRequest.newBuilder().setView("region_status").setKey(key("eu-west")).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, arity.getStatus().getCode());
        assertEquals("key", badRequest(arity).getFieldViolations(0).getField());
        assertTrue(arity.getStatus().getDescription().contains("(region VARCHAR, status VARCHAR)"),
                arity.getStatus().getDescription());

        StatusRuntimeException type = assertThrows(StatusRuntimeException.class,
                () -> q().get(GetRequest.newBuilder().setView("customer_stats").setKey(Key.newBuilder()
                        .addValues(Value.newBuilder().setInt64Value(17))).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, type.getStatus().getCode());
        assertEquals("key[0]", badRequest(type).getFieldViolations(0).getField());
        assertTrue(type.getStatus().getDescription().contains("VARCHAR"), type.getStatus().getDescription());

        StatusRuntimeException token = assertThrows(StatusRuntimeException.class,
                () -> q().get(GetRequest.newBuilder().setView("customer_stats").setKey(key("c-1"))
                        .setMinPosition("garbage").build()));
        assertEquals("min_position", badRequest(token).getFieldViolations(0).getField());

        // a position far ahead: the read waits within the 700 ms deadline, then says how far behind it is
        Position ahead = Position.EMPTY;
        for (int p = 0; p < 4; p++) {
            ahead = ahead.with("orders", p, 1_000_000_000L);
        }
        String aheadToken = ahead.token();
        long t0 = System.nanoTime();
        StatusRuntimeException behind = assertThrows(StatusRuntimeException.class,
                () -> query.withDeadlineAfter(700, TimeUnit.MILLISECONDS).get(GetRequest.newBuilder()
                        .setView("customer_stats").setKey(key("c-1")).setMinPosition(aheadToken).build()));
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(behind.getStatus().getCode() == Status.Code.FAILED_PRECONDITION
                || behind.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED, behind.getStatus().toString());
        if (behind.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
            ErrorInfo info = errorInfo(behind);
            assertEquals("NOT_UP_TO_POSITION", info.getReason());
            assertTrue(info.getMetadataOrThrow("missing").contains("orders/"), info.toString());
        }
        assertTrue(tookMs >= 300 && tookMs < 5_000, "waited within the deadline: " + tookMs + " ms");
        StatusRuntimeException tiny = assertThrows(StatusRuntimeException.class,
                () -> query.withDeadlineAfter(1, TimeUnit.MILLISECONDS).get(GetRequest.newBuilder()
                        .setView("customer_stats").setKey(key("c-1")).setMinPosition(aheadToken).build()));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, tiny.getStatus().getCode());
    }

    private static ErrorInfo errorInfo(StatusRuntimeException e) throws InvalidProtocolBufferException {
        for (Any a : StatusProto.fromThrowable(e).getDetailsList()) {
            if (a.is(ErrorInfo.class)) {
                return a.unpack(ErrorInfo.class);
            }
        }
        throw new AssertionError("no ErrorInfo in " + e);
    }

    private static BadRequest badRequest(StatusRuntimeException e) throws InvalidProtocolBufferException {
        for (Any a : StatusProto.fromThrowable(e).getDetailsList()) {
            if (a.is(BadRequest.class)) {
                return a.unpack(BadRequest.class);
            }
        }
        throw new AssertionError("no BadRequest in " + e);
    }

    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE) // last: it adds a customer the oracle does not know
    void shouldReadYourWritesAfterProduce() {
        ProduceResponse written = IngestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .produce(ProduceRequest.newBuilder().setSource("orders")
                        .addEvents(Event.newBuilder().setJson("{\"order_id\":\"g-1\",\"customer_id\":\"grpc-c\","
                                + "\"region\":\"eu-west\",\"amount_cents\":500,\"status\":\"placed\",\"ts\":1700000000000}"))
                        .addEvents(Event.newBuilder().setRow(Row.newBuilder()
                                .addValues(Value.newBuilder().setStringValue("g-2"))
                                .addValues(Value.newBuilder().setStringValue("grpc-c"))
                                .addValues(Value.newBuilder().setStringValue("eu-west"))
                                .addValues(Value.newBuilder().setInt64Value(700))
                                .addValues(Value.newBuilder().setStringValue("placed"))
                                .addValues(Value.newBuilder().setTimestampValue(
                                        com.google.protobuf.Timestamp.newBuilder().setSeconds(1_700_000_001L)))))
                        .build());
        assertEquals(2, written.getWritten());
        GetResponse r = q().get(GetRequest.newBuilder().setView("customer_stats").setKey(key("grpc-c"))
                .setMinPosition(written.getPosition()).build());
        assertTrue(r.getFound());
        assertEquals(2, num(r.getRow(), 1));
        assertEquals(1200, num(r.getRow(), 2));
        StatusRuntimeException bad = assertThrows(StatusRuntimeException.class, () -> IngestServiceGrpc
                .newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).produce(ProduceRequest.newBuilder()
                        .setSource("orders").addEvents(Event.newBuilder().setJson("{\"amount_cents\": \"many\"}"))
                        .build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
    }

    @Test
    void shouldListServicesAndResolveTypesThroughReflection() throws Exception {
        LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS).serverReflectionInfo(new StreamObserver<>() {
                    public void onNext(ServerReflectionResponse r) {
                        answers.add(r);
                    }

                    public void onError(Throwable t) {
                        answers.add(t);
                    }

                    public void onCompleted() {
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        ServerReflectionResponse list = (ServerReflectionResponse) answers.poll(30, TimeUnit.SECONDS);
        Set<String> services = new TreeSet<>();
        list.getListServicesResponse().getServiceList().forEach(s -> services.add(s.getName()));
        assertTrue(services.containsAll(Set.of("statefront.v1.QueryService", "statefront.v1.IngestService",
                "grpc.health.v1.Health")), services.toString());
        requests.onNext(ServerReflectionRequest.newBuilder().setFileContainingSymbol("statefront.v1.ScanRequest")
                .build());
        ServerReflectionResponse file = (ServerReflectionResponse) answers.poll(30, TimeUnit.SECONDS);
        assertNotNull(file);
        boolean found = false;
        for (com.google.protobuf.ByteString b : file.getFileDescriptorResponse().getFileDescriptorProtoList()) {
            com.google.protobuf.DescriptorProtos.FileDescriptorProto fd =
                    com.google.protobuf.DescriptorProtos.FileDescriptorProto.parseFrom(b);
            found |= fd.getMessageTypeList().stream().anyMatch(m -> m.getName().equals("ScanRequest"));
        }
        assertTrue(found, "ScanRequest resolved");
        requests.onCompleted();

        HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService("statefront.v1.QueryService").build());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
    }

    @Test
    void shouldRunTheCommandLineClientAgainstTheGateway() throws Exception {
        String target = "127.0.0.1:" + gateway.grpcPort();
        String views = cli(0, "views", "--target", target);
        assertTrue(views.contains("customer_stats") && views.contains("region_status"), views);
        assertTrue(views.contains(String.valueOf(oracle.customerStats().size())), views);

        String get = cli(0, "get", "region_status", "eu-west", "placed", "--target", target);
        assertTrue(get.contains(" " + oracle.regionStatus().get("eu-west|placed").n() + " "), get);
        assertTrue(get.lines().anyMatch(l -> l.startsWith("region ")), "table header: " + get);

        cli(1, "get", "customer_stats", "c-1", "nobody", "--target", target);

        JsonNode json = Json.mapper().readTree(cli(0, "scan", "customer_stats", "--prefix", "c-12", "--limit", "0",
                "--json", "--target", target));
        List<String> expected = oracle.customerStats().keySet().stream().filter(k -> k.startsWith("c-12")).toList();
        List<String> actual = new ArrayList<>();
        json.get("rows").forEach(r -> actual.add(r.get("customer_id").asText()));
        assertEquals(expected, actual);

        String describe = cli(0, "describe", "customer_stats", "--target", target);
        assertTrue(describe.contains("TIMESTAMP") && describe.contains("customer_id"), describe);

        String error = cliErr("describe", "nope", "--target", target);
        assertTrue(error.contains("NOT_FOUND"), error);
    }

    private String cli(int exit, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = StatefrontMain.commandLine(Map.of());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        assertEquals(exit, code, () -> List.of(args) + " -> " + out + err);
        return out.toString();
    }

    private String cliErr(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = StatefrontMain.commandLine(Map.of());
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(StatefrontMain.EXIT_FAILURE, cl.execute(args));
        return err.toString();
    }

    @Test
    void shouldListViewsWithExactRowCounts() {
        var r = q().listViews(ListViewsRequest.newBuilder().setMinPosition(produced.token()).build());
        Map<String, Long> counts = new java.util.HashMap<>();
        r.getViewsList().forEach(v -> counts.put(v.getName(), v.getRowCount()));
        assertEquals((long) oracle.customerStats().size(), counts.get("customer_stats"));
        assertEquals((long) oracle.regionStatus().size(), counts.get("region_status"));
    }
}
