package dev.statefront.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.statefront.app.config.StatefrontConfig;

/** {@code statefront run --demo} in one process: embedded Kafka, all roles, REST reads and ingest. */
@Tag("slow")
@Timeout(240)
class StatefrontDemoTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    @Test
    void shouldServeTheDemoViewsAndReflectIngestedOrdersAcrossARestart() throws Exception {
        StatefrontConfig config = StatefrontConfig.load(null, Map.of(), List.of(
                "data.dir=" + tmp.resolve("data"), "embedded.kafka.port=0", "rest.port=0", "grpc.port=0",
                "rest.host=127.0.0.1", "demo.orders.per.second=100"));
        long amount = 4_242;
        try (StatefrontServer server = new StatefrontServer(config, RunCommand.demoSql(), true, Clock.systemUTC())) {
            server.start();
            String base = "http://127.0.0.1:" + server.restPort().orElseThrow();

            JsonNode views = await(base + "/v1/views", json -> json.path("views").size() == 2);
            assertTrue(views.toString().contains("customer_stats") && views.toString().contains("region_status"),
                    views.toString());
            await(base + "/v1/views/customer_stats/rows?limit=5", json -> json.path("rows").size() > 0);
            await(base + "/v1/views/region_status/rows?prefix=eu-west", json -> json.path("rows").size() > 0);

            String order = "{\"order_id\":\"o-test-1\",\"customer_id\":\"c-test\",\"region\":\"eu-west\","
                    + "\"amount_cents\":" + amount + ",\"status\":\"placed\",\"ts\":1700000000042}";
            HttpResponse<String> ingest = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/sources/orders/events"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString(order)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ingest.statusCode() / 100 * 100, ingest.body());

            JsonNode row = await(base + "/v1/views/customer_stats/rows/c-test", json -> json.has("row"));
            assertEquals(1, row.path("row").path("order_count").asLong(), row.toString());
            assertEquals(amount, row.path("row").path("total_cents").asLong(), row.toString());
        }

        // a restart on the same data dir serves the same row again
        try (StatefrontServer again = new StatefrontServer(config, RunCommand.demoSql(), true, Clock.systemUTC())) {
            again.start();
            String base = "http://127.0.0.1:" + again.restPort().orElseThrow();
            JsonNode row = await(base + "/v1/views/customer_stats/rows/c-test", json -> json.has("row"));
            assertEquals(1, row.path("row").path("order_count").asLong(), row.toString());
            assertEquals(amount, row.path("row").path("total_cents").asLong(), row.toString());
        }
    }

    /** Polls a GET until it answers 200 with a body the predicate accepts. */
    private JsonNode await(String url, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String last = "(no answer)";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
                last = r.statusCode() + " " + r.body();
                if (r.statusCode() == 200) {
                    JsonNode json = JSON.readTree(r.body());
                    if (done.test(json)) {
                        return json;
                    }
                }
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("GET " + url + " did not answer as expected within 90 s; last: " + last);
    }
}
