package dev.statefront.gateway.changes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.core.DecodeException;
import dev.statefront.core.Json;
import dev.statefront.core.JsonValues;
import dev.statefront.core.KeyCodec;
import dev.statefront.core.Schema;
import dev.statefront.state.server.ChangeSubscription;
import dev.statefront.state.server.ReadResult;
import dev.statefront.state.server.SubscribeRequest;
import dev.statefront.state.server.SubscriptionEnd;
import dev.statefront.state.server.SubscriptionEvent;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/views/{view}/changes?from=snapshot|now|<token>&prefix=&from_key=&to_key=}: a view's change
 * stream as Server-Sent Events (default) or NDJSON ({@code Accept: application/x-ndjson} or
 * {@code format=ndjson}). A {@code Last-Event-ID} header (what an {@code EventSource} sends when it reconnects)
 * overrides {@code from}. Each stream holds one request thread, writes events as they come and flushes whenever
 * it would wait; an idle stream gets a heartbeat every {@code heartbeat_ms} (default 15 s), which is also how a
 * vanished client is noticed. Errors before the stream starts have the API's one error shape and status; a stream
 * that ends (slow client, server stopping) ends with an {@code error} event saying why and with which token to
 * resume.
 */
public final class ChangeStreamApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeStreamApi.class);
    /** The route. */
    public static final String ROUTE = "/v1/views/{view}/changes";
    /** Heartbeat interval of idle streams unless {@code heartbeat_ms} says otherwise. */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(15);
    private static final long MIN_HEARTBEAT_MS = 100;
    private static final long MAX_HEARTBEAT_MS = 60_000;
    /** The largest per-stream buffer ({@code buffer}) a client may ask for. */
    public static final int MAX_BUFFER = 100_000;

    private final ChangeSource source;
    private final Clock clock;
    private final Set<ChangeSubscription> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * Change streams over a source.
     *
     * @param source where subscriptions come from; null when this gateway has no state server in its process
     *     (every stream then answers 503)
     * @param clock stamps heartbeats
     */
    public ChangeStreamApi(ChangeSource source, Clock clock) {
        this.source = source;
        this.clock = clock;
    }

    /** Adds the route to an app. */
    public void register(Javalin app) {
        app.get(ROUTE, this::stream);
    }

    /** Streams currently open. */
    public int openStreams() {
        return open.size();
    }

    /** Ends every open stream (each gets an error event) and refuses new ones; for shutdown. */
    @Override
    public void close() {
        closed = true;
        for (ChangeSubscription s : open) {
            s.close();
        }
    }

    private void stream(Context ctx) {
        if (source == null || closed) {
            fail(ctx, 503, "UNAVAILABLE", closed ? "gateway is stopping; reconnect with the last event id"
                    : "this gateway has no state server in its process, so it cannot stream changes");
            return;
        }
        ReadResult<CatalogEntry> view = source.view(ctx.pathParam("view"));
        if (!view.isOk()) {
            fail(ctx, view);
            return;
        }
        SubscribeRequest request;
        Duration heartbeat;
        try {
            request = request(ctx, view.value());
            heartbeat = heartbeat(ctx);
        } catch (IllegalArgumentException e) {
            fail(ctx, 400, "INVALID_ARGUMENT", e.getMessage());
            return;
        }
        ReadResult<ChangeSubscription> subscribed = source.subscribe(request);
        if (!subscribed.isOk()) {
            fail(ctx, subscribed);
            return;
        }
        String format = ctx.queryParam("format");
        String accept = ctx.header("Accept");
        boolean ndjson = format != null ? format.equalsIgnoreCase("ndjson")
                : accept != null && accept.contains(ChangeEventWriter.NDJSON);
        ChangeEventWriter writer = ndjson ? ChangeEventWriter.ndjson(view.value()) : ChangeEventWriter.sse(view.value());
        ChangeSubscription sub = subscribed.value();
        open.add(sub);
        try {
            ctx.status(200);
            ctx.res().setContentType(writer.contentType());
            ctx.res().setHeader("Cache-Control", "no-cache");
            ctx.res().setHeader("X-Accel-Buffering", "no");
            OutputStream out = ctx.res().getOutputStream();
            writer.open(out);
            out.flush();
            pump(sub, writer, out, heartbeat);
        } catch (IOException e) {
            LOG.debug("change stream of view '{}' closed by the client: {}", sub.view(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(sub);
            sub.close();
        }
    }

    private void pump(ChangeSubscription sub, ChangeEventWriter writer, OutputStream out, Duration heartbeat)
            throws IOException, InterruptedException {
        while (true) {
            SubscriptionEvent e = sub.poll(Duration.ZERO);
            if (e == null) {
                out.flush(); // about to wait: what was written goes out now
                e = sub.poll(heartbeat);
                if (e == null) {
                    writer.heartbeat(out, sub.resumeToken(), clock.millis());
                    out.flush();
                    continue;
                }
            }
            if (e.type() == SubscriptionEvent.Type.END) {
                SubscriptionEnd end = e.end();
                if (end.reason() != SubscriptionEnd.Reason.CLOSED || closed) {
                    writer.error(out, end.reason() == SubscriptionEnd.Reason.CLOSED ? "SERVER_STOPPING"
                            : end.reason().name(), end.message(), sub.resumeToken());
                    out.flush();
                }
                return;
            }
            writer.event(out, e);
        }
    }

    private SubscribeRequest request(Context ctx, CatalogEntry view) {
        String lastEventId = ctx.header("Last-Event-ID");
        String from = lastEventId != null && !lastEventId.isBlank() ? lastEventId.trim() : ctx.queryParam("from");
        SubscribeRequest r;
        if (from == null || from.isEmpty() || from.equals("snapshot")) {
            r = SubscribeRequest.snapshot(view.name());
        } else if (from.equals("now")) {
            r = SubscribeRequest.now(view.name());
        } else {
            r = SubscribeRequest.resume(view.name(), from);
        }
        List<Column> keys = keyColumns(view.schema());
        List<ColumnType> types = view.schema().keyTypes();
        byte[] lower = null;
        byte[] upper = null;
        List<String> fromKey = ctx.queryParams("from_key");
        if (!fromKey.isEmpty()) {
            lower = KeyCodec.encodePrefix(types, leading(view, keys, fromKey, "from_key"), false);
        }
        List<String> toKey = ctx.queryParams("to_key");
        if (!toKey.isEmpty()) {
            upper = KeyCodec.encodePrefix(types, leading(view, keys, toKey, "to_key"), false);
        }
        List<String> prefix = ctx.queryParams("prefix");
        if (!prefix.isEmpty()) {
            Object[] leading = leading(view, keys, prefix, "prefix");
            boolean stringPrefix = types.get(leading.length - 1).kind() == ColumnType.Kind.VARCHAR
                    && leading[leading.length - 1] != null;
            byte[] start = KeyCodec.encodePrefix(types, leading, stringPrefix);
            lower = lower == null || KeyCodec.compare(start, lower) > 0 ? start : lower;
            byte[] end = KeyCodec.prefixEnd(start);
            upper = upper == null || (end != null && KeyCodec.compare(end, upper) < 0) ? end : upper;
        }
        if (lower != null || upper != null) {
            r = r.withKeyRange(lower, upper);
        }
        String buffer = ctx.queryParam("buffer");
        if (buffer != null && !buffer.isEmpty()) {
            r = r.withBufferSize(boundedInt(buffer, "buffer", 1, MAX_BUFFER));
        }
        return r;
    }

    private static Duration heartbeat(Context ctx) {
        String text = ctx.queryParam("heartbeat_ms");
        if (text == null || text.isEmpty()) {
            return DEFAULT_HEARTBEAT;
        }
        return Duration.ofMillis(boundedInt(text, "heartbeat_ms", MIN_HEARTBEAT_MS, MAX_HEARTBEAT_MS));
    }

    private static int boundedInt(String text, String name, long min, long max) {
        try {
            long v = Long.parseLong(text.trim());
            if (v >= min && v <= max) {
                return (int) v;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max + ", got '"
                + text + "'");
    }

    private static List<Column> keyColumns(Schema s) {
        Column[] cols = new Column[s.keySize()];
        for (int k = 0; k < cols.length; k++) {
            cols[k] = s.column(s.keyIndex(k));
        }
        return List.of(cols);
    }

    private static Object[] leading(CatalogEntry view, List<Column> keys, List<String> values, String what) {
        if (values.size() > keys.size()) {
            throw new IllegalArgumentException(what + ": view '" + view.name() + "' has key " + keys + ", so give 1 to "
                    + keys.size() + " value(s) in key-column order (repeat the parameter), got " + values.size());
        }
        Object[] out = new Object[values.size()];
        for (int i = 0; i < out.length; i++) {
            try {
                out[i] = JsonValues.fromText(values.get(i), keys.get(i));
            } catch (DecodeException e) {
                throw new IllegalArgumentException(what + ": " + e.getMessage() + " (view '" + view.name() + "' key "
                        + keys + ")");
            }
        }
        return out;
    }

    private static void fail(Context ctx, ReadResult<?> r) {
        switch (r.status()) {
            case NOT_FOUND -> fail(ctx, 404, "NOT_FOUND", r.message());
            case INVALID_ARGUMENT -> fail(ctx, 400, "INVALID_ARGUMENT", r.message());
            default -> fail(ctx, 503, "UNAVAILABLE", r.message());
        }
    }

    private static void fail(Context ctx, int status, String code, String message) {
        ObjectNode root = Json.mapper().createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("code", code);
        error.put("message", message);
        error.putObject("details");
        if (status == 503) {
            ctx.header("Retry-After", "1");
        }
        ctx.status(status);
        ctx.contentType("application/json");
        try {
            ctx.result(Json.mapper().writeValueAsBytes(root));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write an error answer", e);
        }
        ctx.attribute("statefront.answered", Boolean.TRUE);
        LOG.debug("change stream refused ({} {}): {}", status, code.toLowerCase(Locale.ROOT), message);
    }
}
