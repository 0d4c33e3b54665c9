package dev.statefront.tests.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statefront.core.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A small JSON-over-HTTP client for the gateway's REST API, with deadlines. */
public final class RestClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    /** A response: status and parsed JSON body (a missing or non-JSON body is a null node). */
    public record Response(int status, JsonNode body) {
    }

    public RestClient(String base) {
        this.base = base;
    }

    public Response get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET());
    }

    public Response post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private Response send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body;
            try {
                body = Json.mapper().readTree(r.body());
            } catch (IOException e) {
                body = Json.mapper().nullNode();
            }
            return new Response(r.statusCode(), body == null ? Json.mapper().nullNode() : body);
        } catch (IOException e) {
            throw new IllegalStateException("request to " + base + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
