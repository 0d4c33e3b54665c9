package dev.statefront.gateway.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.ColumnType;
import dev.statefront.core.Json;
import dev.statefront.core.KeyCodec;
import dev.statefront.core.Position;
import dev.statefront.gateway.routing.PartitionRouter;
import dev.statefront.ingest.EventProducer;
import dev.statefront.ingest.EventSink;
import dev.statefront.ingest.EventValidationException;
import dev.statefront.ingest.EventViolation;
import dev.statefront.ingest.IngestException;
import dev.statefront.ingest.ProduceResult;
import dev.statefront.ingest.RecordOffset;
import dev.statefront.state.server.Freshness;
import dev.statefront.state.server.ReadOptions;
import dev.statefront.state.server.ReadResult;
import dev.statefront.state.server.ViewDescription;
import dev.statefront.state.server.ViewRow;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The v1 REST API over a {@link PartitionRouter} and an {@link EventSink}. Every answer is JSON; every error has
 * the one shape {@code {"error": {"code", "message", "details"}}}, mapped from exceptions in one place
 * ({@link #register}).
 */
public final class RestApi {
    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);
    /** Default page size of a scan. */
    public static final int DEFAULT_LIMIT = 100;
    /** Largest page size of a scan, and most keys of a batch get. */
    public static final int MAX_LIMIT = 10_000;
    private static final String ANSWERED = "statefront.answered";
    private static final String JSON = "application/json";

    private final PartitionRouter router;
    private final Duration defaultWait;
    private final EventSink events;
    private final long maxBodyBytes;

    /**
     * An API over a router.
     *
     * @param router where reads go
     * @param defaultWait how long a read with {@code min_position} but no {@code wait_ms} waits
     * @param events where ingested events go
     * @param maxBodyBytes the largest request body; larger gets 413
     */
    public RestApi(PartitionRouter router, Duration defaultWait, EventSink events, long maxBodyBytes) {
        this.router = Objects.requireNonNull(router, "router");
        this.defaultWait = Objects.requireNonNull(defaultWait, "defaultWait");
        this.events = Objects.requireNonNull(events, "events");
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Adds the routes, the error mapping and the not-found fallback to an app. */
    public void register(Javalin app) {
        app.get("/health", this::health);
        app.get("/v1/views", this::listViews);
        app.get("/v1/views/{view}", this::describeView);
        app.get("/v1/views/{view}/rows", this::scan);
        app.get("/v1/views/{view}/rows/<key>", this::getRow);
        app.post("/v1/views/{view}/rows:batchGet", this::batchGet);
        app.get("/v1/sources", this::listSources);
        app.get("/v1/sources/{source}", this::describeSource);
        app.post("/v1/sources/{source}/events", this::ingest);
        app.exception(Exception.class, this::fail);
        app.error(404, ctx -> {
            if (ctx.attribute(ANSWERED) == null) {
                writeError(ctx, ErrorCode.NOT_FOUND, "no route " + ctx.method() + " " + ctx.path()
                        + "; the API lives under /v1/views and /v1/sources", Answers.object());
            }
        });
    }

    // ------------------------------------------------------------------ errors, in one place

    private void fail(Exception e, Context ctx) {
        if (e instanceof ApiException a) {
            if (a.code() == ErrorCode.NOT_UP_TO_POSITION || a.code() == ErrorCode.UNAVAILABLE) {
                ctx.header("Retry-After", "1");
            }
            writeError(ctx, a.code(), a.getMessage(), a.details());
        } else if (e instanceof HttpResponseException h) {
            ErrorCode code = switch (h.getStatus()) {
                case 400 -> ErrorCode.INVALID_ARGUMENT;
                case 404 -> ErrorCode.NOT_FOUND;
                case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
                case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
                case 503 -> ErrorCode.UNAVAILABLE;
                default -> h.getStatus() >= 500 ? ErrorCode.INTERNAL : ErrorCode.INVALID_ARGUMENT;
            };
            String message = code == ErrorCode.PAYLOAD_TOO_LARGE ? "request body is larger than the limit of "
                    + maxBodyBytes + " bytes; send fewer events per request" : h.getMessage();
            writeError(ctx, code, message, Answers.object());
        } else {
            LOG.error("request {} {} failed", ctx.method(), ctx.path(), e);
            writeError(ctx, ErrorCode.INTERNAL, "internal error: " + e, Answers.object());
        }
    }

    private static void writeError(Context ctx, ErrorCode code, String message, ObjectNode details) {
        ctx.attribute(ANSWERED, Boolean.TRUE);
        ctx.status(code.httpStatus());
        ctx.contentType(JSON);
        ctx.result(bytes(Answers.error(code, message, details)));
    }

    /** The value of an OK result, or the exception that answers the failure. */
    private static <T> ReadResult<T> check(ReadResult<T> r, ReadOptions options) {
        switch (r.status()) {
            case OK:
                return r;
            case NOT_FOUND:
                throw new ApiException(ErrorCode.NOT_FOUND, r.message());
            case INVALID_ARGUMENT:
                throw ApiException.invalid(r.message());
            case NOT_UP_TO_POSITION: {
                ObjectNode details = Answers.object();
                ObjectNode missing = details.putObject("missing");
                r.missing().forEach(missing::put);
                details.put("position", r.position().token());
                details.put("min_position", options.minPosition().token());
                details.put("waited_ms", options.waitTimeout().toMillis());
                throw new ApiException(ErrorCode.NOT_UP_TO_POSITION, r.message(), details);
            }
            default:
                throw new ApiException(ErrorCode.UNAVAILABLE, r.message());
        }
    }

    // ------------------------------------------------------------------ handlers

    private void health(Context ctx) {
        if (!router.serving()) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "not serving yet: state replicas " + router.status());
        }
        ObjectNode answer = Answers.object();
        answer.put("status", "UP");
        answer.put("replicas", router.status());
        answer(ctx, answer);
    }

    private void listViews(Context ctx) {
        ReadOptions options = readOptions(ctx);
        List<CatalogEntry> views = check(router.views(), options).value();
        ArrayNode arr = Json.mapper().createArrayNode();
        Position position = Position.EMPTY;
        Freshness freshness = null;
        for (CatalogEntry e : views) {
            ReadResult<ViewDescription> d = router.describe(e, options);
            if (d.status() == dev.statefront.state.server.ReadStatus.NOT_FOUND) {
                continue; // dropped while listing
            }
            check(d, options);
            ObjectNode v = Answers.view(e, d.value(), false);
            v.set("name", v.remove("view"));
            arr.add(v);
            position = position.merge(d.position());
            freshness = freshness == null ? d.freshness() : freshness.min(d.freshness());
        }
        ObjectNode answer = Answers.object();
        answer.set("views", arr);
        answer(ctx, Answers.withReadState(answer, position, freshness));
    }

    private void describeView(Context ctx) {
        ReadOptions options = readOptions(ctx);
        CatalogEntry view = view(ctx, options);
        ReadResult<ViewDescription> d = check(router.describe(view, options), options);
        answer(ctx, Answers.withReadState(Answers.view(d.value().entry(), d.value(), true), d.position(),
                d.freshness()));
    }

    private void getRow(Context ctx) {
        ReadOptions options = readOptions(ctx);
        CatalogEntry view = view(ctx, options);
        Object[] key = KeyArguments.fullKey(view, keySegments(ctx), "key path /rows/{key}");
        ReadResult<Object[]> r = check(router.get(view, key, options), options);
        if (r.value() == null) {
            ObjectNode details = Answers.object();
            details.set("key", Answers.key(view, key));
            details.put("position", r.position().token());
            throw new ApiException(ErrorCode.NOT_FOUND, "view '" + view.name() + "' has no row with key "
                    + Answers.key(view, key) + " at position " + r.position().token(), details);
        }
        ObjectNode answer = Answers.object();
        answer.put("view", view.name());
        answer.set("row", Answers.row(view, r.value()));
        answer(ctx, Answers.withReadState(answer, r.position(), r.freshness()));
    }

    private void scan(Context ctx) {
        ReadOptions options = readOptions(ctx);
        CatalogEntry view = view(ctx, options);
        int limit = limit(ctx);
        List<ColumnType> types = view.schema().keyTypes();
        byte[] lower = null;
        byte[] upper = null;
        List<String> from = ctx.queryParams("from");
        if (!from.isEmpty()) {
            lower = KeyCodec.encodePrefix(types, KeyArguments.leadingKey(view, from, "from"), false);
        }
        List<String> to = ctx.queryParams("to");
        if (!to.isEmpty()) {
            upper = KeyCodec.encodePrefix(types, KeyArguments.leadingKey(view, to, "to"), false);
        }
        List<String> prefix = ctx.queryParams("prefix");
        if (!prefix.isEmpty()) {
            Object[] leading = KeyArguments.leadingKey(view, prefix, "prefix");
            boolean stringPrefix = types.get(leading.length - 1).kind() == ColumnType.Kind.VARCHAR;
            byte[] start = KeyCodec.encodePrefix(types, leading, stringPrefix);
            lower = max(lower, start);
            upper = min(upper, KeyCodec.prefixEnd(start));
        }
        String cursor = ctx.queryParam("cursor");
        if (cursor != null && !cursor.isEmpty()) {
            lower = max(lower, KeyArguments.cursor(view, cursor));
        }
        ReadResult<List<ViewRow>> r = check(router.scan(view, lower, upper, limit + 1, options), options);
        List<ViewRow> rows = r.value();
        ArrayNode arr = Json.mapper().createArrayNode();
        for (int i = 0; i < Math.min(limit, rows.size()); i++) {
            arr.add(Answers.row(view, rows.get(i).row()));
        }
        ObjectNode answer = Answers.object();
        answer.put("view", view.name());
        answer.set("rows", arr);
        if (rows.size() > limit) {
            answer.put("next_cursor", KeyArguments.cursorOf(rows.get(limit).key()));
        } else {
            answer.putNull("next_cursor");
        }
        answer(ctx, Answers.withReadState(answer, r.position(), r.freshness()));
    }

    private void batchGet(Context ctx) {
        ReadOptions options = readOptions(ctx);
        CatalogEntry view = view(ctx, options);
        JsonNode body = body(ctx);
        JsonNode keysNode = body.get("keys");
        if (!body.isObject() || keysNode == null || !keysNode.isArray()) {
            throw ApiException.invalid("body must be {\"keys\": [...]}: an array of keys, each an array of values in "
                    + "key-column order " + KeyArguments.describeKey(view) + " (a bare value for a single-column key)");
        }
        if (keysNode.size() > MAX_LIMIT) {
            throw ApiException.invalid("at most " + MAX_LIMIT + " keys per batchGet, got " + keysNode.size());
        }
        List<Object[]> keys = new ArrayList<>(keysNode.size());
        for (int i = 0; i < keysNode.size(); i++) {
            keys.add(KeyArguments.fromJson(view, keysNode.get(i), "keys[" + i + "]"));
        }
        ReadResult<List<Object[]>> r = check(router.batchGet(view, keys, options), options);
        ArrayNode arr = Json.mapper().createArrayNode();
        for (int i = 0; i < keys.size(); i++) {
            Object[] row = r.value().get(i);
            ObjectNode item = arr.addObject();
            item.set("key", Answers.key(view, keys.get(i)));
            if (row == null) {
                item.putNull("row");
            } else {
                item.set("row", Answers.row(view, row));
            }
            item.put("found", row != null);
        }
        ObjectNode answer = Answers.object();
        answer.put("view", view.name());
        answer.set("rows", arr);
        answer(ctx, Answers.withReadState(answer, r.position(), r.freshness()));
    }

    private void listSources(Context ctx) {
        ReadOptions options = ReadOptions.NOW;
        ArrayNode arr = Json.mapper().createArrayNode();
        for (CatalogEntry e : check(router.sources(), options).value()) {
            ObjectNode s = Answers.source(e);
            s.set("name", s.remove("source"));
            arr.add(s);
        }
        ObjectNode answer = Answers.object();
        answer.set("sources", arr);
        answer(ctx, answer);
    }

    private void describeSource(Context ctx) {
        answer(ctx, Answers.source(check(router.source(ctx.pathParam("source")), ReadOptions.NOW).value()));
    }

    private void ingest(Context ctx) {
        CatalogEntry source = check(router.source(ctx.pathParam("source")), ReadOptions.NOW).value();
        JsonNode body = body(ctx);
        List<JsonNode> list = new ArrayList<>();
        if (body.isArray()) {
            body.forEach(list::add);
        } else if (body.isObject()) {
            list.add(body);
        } else {
            throw ApiException.invalid("body must be one JSON object (an event) or an array of them, got "
                    + body.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        List<EventViolation> violations = EventProducer.validate(source, list);
        if (!violations.isEmpty()) {
            throw invalidEvents(new EventValidationException(source.name(), violations));
        }
        ProduceResult result;
        try {
            result = list.isEmpty() ? new ProduceResult(source.name(), source.topic(), List.of(), Position.EMPTY)
                    : events.produce(source, list);
        } catch (EventValidationException e) {
            throw invalidEvents(e);
        } catch (IngestException e) {
            throw new ApiException(ErrorCode.UNAVAILABLE, e.getMessage());
        }
        ObjectNode answer = Answers.object();
        answer.put("source", source.name());
        answer.put("written", result.offsets().size());
        ArrayNode offsets = answer.putArray("offsets");
        for (RecordOffset o : result.offsets()) {
            offsets.addObject().put("partition", o.partition()).put("offset", o.offset());
        }
        answer.put("position", result.position().token());
        answer(ctx, answer);
    }

    private static ApiException invalidEvents(EventValidationException e) {
        ObjectNode details = Answers.object();
        ArrayNode arr = details.putArray("violations");
        for (EventViolation v : e.violations()) {
            arr.addObject().put("index", v.index()).put("reason", v.reason());
        }
        return new ApiException(ErrorCode.INVALID_ARGUMENT, e.getMessage(), details);
    }

    // ------------------------------------------------------------------ request decoding

    private CatalogEntry view(Context ctx, ReadOptions options) {
        return check(router.view(ctx.pathParam("view")), options).value();
    }

    private ReadOptions readOptions(Context ctx) {
        Position min = Position.EMPTY;
        String token = ctx.queryParam("min_position");
        if (token != null && !token.isEmpty()) {
            try {
                min = Position.fromToken(token);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("min_position: " + e.getMessage());
            }
        }
        String waitText = ctx.queryParam("wait_ms");
        Duration wait = min.isEmpty() ? Duration.ZERO : defaultWait;
        if (waitText != null && !waitText.isEmpty()) {
            try {
                long ms = Long.parseLong(waitText.trim());
                if (ms < 0) {
                    throw new NumberFormatException();
                }
                wait = Duration.ofMillis(ms);
            } catch (NumberFormatException e) {
                throw ApiException.invalid("wait_ms must be a whole number of milliseconds >= 0, got '" + waitText + "'");
            }
        }
        return new ReadOptions(min, wait);
    }

    private static int limit(Context ctx) {
        String text = ctx.queryParam("limit");
        if (text == null || text.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text.trim());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiException.invalid("limit must be a whole number from 1 to " + MAX_LIMIT + ", got '" + text + "'");
    }

    /** The raw path segments after {@code /rows/}, percent-decoded one by one so a key may contain '/' as %2F. */
    private static List<String> keySegments(Context ctx) {
        String raw = ctx.req().getRequestURI();
        String[] parts = raw.split("/", -1);
        // ["", "v1", "views", view, "rows", key...]
        int end = parts.length;
        if (end > 6 && parts[end - 1].isEmpty()) {
            end--;
        }
        List<String> segments = new ArrayList<>();
        for (int i = 5; i < end; i++) {
            segments.add(URLDecoder.decode(parts[i].replace("+", "%2B"), StandardCharsets.UTF_8));
        }
        return segments;
    }

    private JsonNode body(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBodyBytes) {
            throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "request body of " + declared
                    + " bytes is larger than the limit of " + maxBodyBytes + " bytes; send less per request");
        }
        byte[] body = ctx.bodyAsBytes();
        if (body.length == 0) {
            throw ApiException.invalid("request body is empty; send JSON");
        }
        try {
            return Json.mapper().readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.invalid("request body is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr()));
        } catch (IOException e) {
            throw ApiException.invalid("request body cannot be read: " + e.getMessage());
        }
    }

    private static byte[] max(byte[] a, byte[] b) {
        return a == null ? b : b == null ? a : KeyCodec.compare(a, b) >= 0 ? a : b;
    }

    private static byte[] min(byte[] a, byte[] b) {
        return a == null ? b : b == null ? a : KeyCodec.compare(a, b) <= 0 ? a : b;
    }

    private static void answer(Context ctx, ObjectNode answer) {
        ctx.attribute(ANSWERED, Boolean.TRUE);
        ctx.status(200);
        ctx.contentType(JSON);
        ctx.result(bytes(answer));
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return Json.mapper().writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an answer", e);
        }
    }
}
