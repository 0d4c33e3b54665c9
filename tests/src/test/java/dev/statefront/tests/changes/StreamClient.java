package dev.statefront.tests.changes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.statefront.core.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A change-stream client over HTTP: SSE or NDJSON, one event at a time, disconnectable. */
final class StreamClient implements AutoCloseable {
    /** One event: its type, SSE id (null for NDJSON and for events without one) and JSON data. */
    record Event(String type, String id, JsonNode data) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final boolean sse;
    private final InputStream body;
    private final BufferedReader reader;
    final int status;

    private StreamClient(boolean sse, HttpResponse<InputStream> response) {
        this.sse = sse;
        this.status = response.statusCode();
        this.body = response.body();
        this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    /** Opens a stream; {@code lastEventId} (SSE only) may be null. */
    static StreamClient open(String url, boolean sse, String lastEventId) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET()
                .header("Accept", sse ? "text/event-stream" : "application/x-ndjson");
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        return new StreamClient(sse, HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
    }

    /** The next event, or null at the end of the stream. */
    Event next() throws IOException {
        if (!sse) {
            String line = reader.readLine();
            if (line == null) {
                return null;
            }
            JsonNode data = Json.mapper().readTree(line);
            return new Event(data.path("type").asText(), null, data);
        }
        String type = null;
        String id = null;
        StringBuilder data = null;
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                if (data != null) {
                    return new Event(type == null ? "message" : type, id, Json.mapper().readTree(data.toString()));
                }
                type = null;
                id = null;
                continue;
            }
            if (line.startsWith("event: ")) {
                type = line.substring(7);
            } else if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("data: ")) {
                data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
            }
        }
        return null;
    }

    /** Drops the connection (the server notices at its next write). */
    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }
}
