package dev.statefront.gateway.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Json;
import dev.statefront.gateway.query.EventIngest;
import dev.statefront.gateway.query.KeyRange;
import dev.statefront.gateway.query.Keys;
import dev.statefront.gateway.query.QueryException;
import dev.statefront.gateway.query.ReadAnswer;
import dev.statefront.gateway.query.ScanPage;
import dev.statefront.gateway.query.ViewList;
import dev.statefront.gateway.query.ViewQueries;
import dev.statefront.gateway.routing.PartitionRouter;
import dev.statefront.ingest.EventSink;
import dev.statefront.ingest.ProduceResult;
import dev.statefront.ingest.RecordOffset;
import dev.statefront.state.server.ReadOptions;
import dev.statefront.state.server.ViewDescription;
import dev.statefront.state.server.ViewRow;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jetty.server.handler.HandlerWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The v1 REST API over the shared query path ({@link ViewQueries}, {@link EventIngest}). Every answer is JSON; every error has
 * the one shape {@code {"error": {"code", "message", "details"}}}, mapped from exceptions in one place
 * ({@link #register}).
 */
public final class RestApi {
    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);
    /** Default page size of a scan. */
    public static final int DEFAULT_LIMIT = ViewQueries.DEFAULT_LIMIT;
    /** Largest page size of a scan, and most keys of a batch get. */
    public static final int MAX_LIMIT = ViewQueries.MAX_LIMIT;
    private static final String ANSWERED = "statefront.answered";
    private static final String JSON = "application/json";
    /**
     * Javalin copies each answer to Jetty's output through a buffer of this size, allocated per response (its
     * default, Jetty's 32 KiB output buffer, cost more than writing a small answer); Jetty still aggregates.
     */
    private static final int RESPONSE_COPY_BUFFER = 4096;

    private final ViewQueries queries;
    private final EventIngest ingest;
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
        this(new ViewQueries(router, defaultWait), events, maxBodyBytes);
    }

    /**
     * An API over the shared query path.
     *
     * @param queries the reads, shared with the other transports
     * @param events where ingested events go
     * @param maxBodyBytes the largest request body; larger gets 413
     */
    public RestApi(ViewQueries queries, EventSink events, long maxBodyBytes) {
        this.queries = Objects.requireNonNull(queries, "queries");
        this.ingest = new EventIngest(queries, Objects.requireNonNull(events, "events"));
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * Sets up an app's Jetty server for this API: the point lookup {@code GET /v1/views/{view}/rows/{key}} is
     * answered by a handler in front of Javalin's servlet (behind Jetty's request statistics, so a graceful stop
     * still waits for lookups), and Javalin copies other answers through a small buffer. Call it in
     * {@code Javalin.create}, then {@link #register} on the app.
     */
    public void configure(JavalinConfig cfg) {
        cfg.http.responseBufferSize = RESPONSE_COPY_BUFFER;
        cfg.jetty.modifyServer(server -> {
            HandlerWrapper tail = server;
            while (tail.getHandler() instanceof HandlerWrapper next) {
                tail = next;
            }
            tail.setHandler(new RowLookupHandler(this)); // Javalin attaches its servlet context behind it
        });
    }

    /**
     * Adds the routes, the error mapping and the not-found fallback to an app set up with {@link #configure}; the
     * point lookup is not among the routes, its handler answers it.
     */
    public void register(Javalin app) {
        app.get("/health", this::health);
        app.get("/v1/views", this::listViews);
        app.get("/v1/views/{view}", this::describeView);
        app.get("/v1/views/{view}/rows", this::scan);
        app.post("/v1/views/{view}/rows:batchGet", this::batchGet);
        app.get("/v1/sources", this::listSources);
        app.get("/v1/sources/{source}", this::describeSource);
        app.post("/v1/sources/{source}/events", this::ingest);
        app.get("/v1/context", this::context);
        app.exception(Exception.class, this::fail);
        app.error(404, ctx -> {
            if (ctx.attribute(ANSWERED) == null) {
                write(ctx, errorReply(ErrorCode.NOT_FOUND, false, "no route " + ctx.method() + " " + ctx.path()
                        + "; the API lives under /v1/views and /v1/sources", Answers.object()));
            }
        });
    }

    // ------------------------------------------------------------------ errors, in one place

    private void fail(Exception e, Context ctx) {
        write(ctx, errorReply(e, ctx.method() + " " + ctx.path()));
    }

    private static void write(Context ctx, ErrorReply reply) {
        ctx.attribute(ANSWERED, Boolean.TRUE);
        if (reply.retryAfter()) {
            ctx.header("Retry-After", "1");
        }
        ctx.status(reply.status());
        ctx.contentType(JSON);
        ctx.result(reply.body());
    }

    /**
     * An error answer: HTTP status, whether it says {@code Retry-After: 1}, and the JSON body
     * {@code {"error": {"code", "message", "details"}}}.
     */
    record ErrorReply(int status, boolean retryAfter, byte[] body) {
    }

    /** The answer to a failed request, for every route; {@code request} ("GET /path") is logged for bugs. */
    ErrorReply errorReply(Exception e, String request) {
        if (e instanceof QueryException q) {
            return errorReply(toApi(q), request);
        } else if (e instanceof ApiException a) {
            boolean retry = a.code() == ErrorCode.NOT_UP_TO_POSITION || a.code() == ErrorCode.UNAVAILABLE;
            return errorReply(a.code(), retry, a.getMessage(), a.details());
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
            return errorReply(code, false, message, Answers.object());
        } else {
            LOG.error("request {} failed", request, e);
            return errorReply(ErrorCode.INTERNAL, false, "internal error: " + e, Answers.object());
        }
    }

    private static ErrorReply errorReply(ErrorCode code, boolean retryAfter, String message, ObjectNode details) {
        return new ErrorReply(code.httpStatus(), retryAfter, bytes(Answers.error(code, message, details)));
    }

    /** The REST form of a query failure: the v1 error code and the details object of the v1 contract. */
    static ApiException toApi(QueryException q) {
        ObjectNode details = Answers.object();
        ErrorCode code;
        switch (q.code()) {
            case NOT_FOUND -> {
                code = ErrorCode.NOT_FOUND;
                q.metadata().forEach(details::put);
            }
            case NOT_UP_TO_POSITION -> {
                code = ErrorCode.NOT_UP_TO_POSITION;
                ObjectNode missing = details.putObject("missing");
                q.missing().forEach(missing::put);
                details.put("position", q.metadata().get("position"));
                details.put("min_position", q.metadata().get("min_position"));
                details.put("waited_ms", Long.parseLong(q.metadata().getOrDefault("waited_ms", "0")));
            }
            case PAYLOAD_TOO_LARGE -> code = ErrorCode.PAYLOAD_TOO_LARGE;
            case UNAVAILABLE -> code = ErrorCode.UNAVAILABLE;
            default -> {
                code = ErrorCode.INVALID_ARGUMENT;
                if (!q.violations().isEmpty() && q.violations().get(0).field().startsWith("events[")) {
                    ArrayNode arr = details.putArray("violations");
                    for (QueryException.FieldViolation v : q.violations()) {
                        ObjectNode o = arr.addObject();
                        String f = v.field();
                        if (f.startsWith("events[") && f.endsWith("]")) {
                            o.put("index", Integer.parseInt(f.substring(7, f.length() - 1)));
                        }
                        o.put("field", f).put("reason", v.description());
                    }
                } else if (!q.violations().isEmpty()) {
                    details.put("field", q.violations().get(0).field());
                }
            }
        }
        return new ApiException(code, q.getMessage(), details);
    }

    // ------------------------------------------------------------------ handlers

    private void health(Context ctx) {
        if (!queries.serving()) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "not serving yet: state replicas " + queries.status());
        }
        ObjectNode answer = Answers.object();
        answer.put("status", "UP");
        answer.put("replicas", queries.status());
        answer(ctx, answer);
    }

    private void listViews(Context ctx) {
        ViewList list = queries.listViews(readOptions(ctx));
        ArrayNode arr = Json.mapper().createArrayNode();
        for (ViewDescription d : list.views()) {
            ObjectNode v = Answers.view(d.entry(), d, false);
            v.set("name", v.remove("view"));
            arr.add(v);
        }
        ObjectNode answer = Answers.object();
        answer.set("views", arr);
        answer(ctx, Answers.withReadState(answer, list.position(), list.freshness()));
    }

    private void describeView(Context ctx) {
        ReadOptions options = readOptions(ctx);
        CatalogEntry view = queries.view(ctx.pathParam("view"), options);
        ReadAnswer<ViewDescription> d = queries.describe(view, options);
        answer(ctx, Answers.withReadState(Answers.view(d.value().entry(), d.value(), true), d.position(),
                d.freshness()));
    }

    /**
     * The answer to {@code GET /v1/views/{view}/rows/{key}}: {@code {"view", "row", "position", "freshness"}}.
     *
     * @param viewName the view, percent-decoded
     * @param rawPath the request path as sent (still percent-encoded), whose segments after {@code /rows/} are the
     *     key values in key-column order
     * @param minPosition the {@code min_position} parameter, or null
     * @param waitMs the {@code wait_ms} parameter, or null
     * @throws ApiException NOT_FOUND (with the key and position) when the key has no row, and every failure of a read
     */
    byte[] rowAnswer(String viewName, String rawPath, String minPosition, String waitMs) {
        ReadOptions options = readOptions(minPosition, waitMs);
        CatalogEntry view = queries.view(viewName, options);
        Object[] key = Keys.fullKeyFromText(view, keySegments(rawPath), "key path /rows/{key}");
        ReadAnswer<Object[]> r = queries.get(view, key, options);
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
        return bytes(Answers.withReadState(answer, r.position(), r.freshness()));
    }

    private void scan(Context ctx) {
        ReadOptions options = readOptions(ctx);
        CatalogEntry view = queries.view(ctx.pathParam("view"), options);
        int limit = limit(ctx);
        List<String> from = ctx.queryParams("from");
        List<String> to = ctx.queryParams("to");
        List<String> prefix = ctx.queryParams("prefix");
        KeyRange range = KeyRange.of(view,
                from.isEmpty() ? null : Keys.leadingKeyFromText(view, from, "from"),
                to.isEmpty() ? null : Keys.leadingKeyFromText(view, to, "to"),
                prefix.isEmpty() ? null : Keys.leadingKeyFromText(view, prefix, "prefix"),
                ctx.queryParam("cursor"));
        ScanPage page = queries.scan(view, range, limit, options);
        ArrayNode arr = Json.mapper().createArrayNode();
        for (ViewRow row : page.rows()) {
            arr.add(Answers.row(view, row.row()));
        }
        ObjectNode answer = Answers.object();
        answer.put("view", view.name());
        answer.set("rows", arr);
        if (page.nextCursor() != null) {
            answer.put("next_cursor", page.nextCursor());
        } else {
            answer.putNull("next_cursor");
        }
        answer(ctx, Answers.withReadState(answer, page.position(), page.freshness()));
    }

    private void batchGet(Context ctx) {
        ReadOptions options = readOptions(ctx);
        CatalogEntry view = queries.view(ctx.pathParam("view"), options);
        JsonNode body = body(ctx);
        JsonNode keysNode = body.get("keys");
        if (!body.isObject() || keysNode == null || !keysNode.isArray()) {
            throw ApiException.invalid("body must be {\"keys\": [...]}: an array of keys, each an array of values in "
                    + "key-column order " + Keys.describeKey(view) + " (a bare value for a single-column key)");
        }
        if (keysNode.size() > ViewQueries.MAX_LIMIT) {
            throw ApiException.invalid("at most " + ViewQueries.MAX_LIMIT + " keys per batchGet, got "
                    + keysNode.size());
        }
        List<Object[]> keys = new ArrayList<>(keysNode.size());
        for (int i = 0; i < keysNode.size(); i++) {
            keys.add(Keys.fullKeyFromJson(view, keysNode.get(i), "keys[" + i + "]"));
        }
        ReadAnswer<List<Object[]>> r = queries.batchGet(view, keys, options);
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

    /** {@code GET /v1/context?customer_id=c-17} (or {@code ?entity=customer_id%3Dc-17}): what MCP get_context answers. */
    private void context(Context ctx) {
        ReadOptions options = readOptions(ctx);
        String column = null;
        String value = null;
        String entity = ctx.queryParam("entity");
        if (entity != null) {
            String[] cv = dev.statefront.gateway.query.EntityContext.parseEntity(entity);
            column = cv[0];
            value = cv[1];
        } else {
            for (Map.Entry<String, List<String>> e : ctx.queryParamMap().entrySet()) {
                String name = e.getKey();
                if (name.equals("limit") || name.equals("min_position") || name.equals("wait_ms")) {
                    continue;
                }
                if (column != null || e.getValue().size() != 1) {
                    throw ApiException.invalid("give exactly one entity as ?{column}={value}, e.g. "
                            + "/v1/context?customer_id=c-17; got " + ctx.queryParamMap().keySet());
                }
                column = name;
                value = e.getValue().get(0);
            }
        }
        if (column == null) {
            throw ApiException.invalid("give the entity as ?{column}={value}, e.g. /v1/context?customer_id=c-17");
        }
        String limitText = ctx.queryParam("limit");
        int limit = dev.statefront.gateway.query.EntityContext.DEFAULT_LIMIT;
        if (limitText != null && !limitText.isEmpty()) {
            try {
                limit = Integer.parseInt(limitText.trim());
            } catch (NumberFormatException e) {
                limit = -1; // answered by EntityContext
            }
        }
        answer(ctx, dev.statefront.gateway.query.EntityContext.answer(queries, column,
                Json.mapper().getNodeFactory().textNode(value), limit, options));
    }

    private void listSources(Context ctx) {
        ArrayNode arr = Json.mapper().createArrayNode();
        for (CatalogEntry e : queries.sources()) {
            ObjectNode s = Answers.source(e);
            s.set("name", s.remove("source"));
            arr.add(s);
        }
        ObjectNode answer = Answers.object();
        answer.set("sources", arr);
        answer(ctx, answer);
    }

    private void describeSource(Context ctx) {
        answer(ctx, Answers.source(queries.source(ctx.pathParam("source"))));
    }

    private void ingest(Context ctx) {
        String source = ctx.pathParam("source");
        queries.source(source); // an unknown source is a 404 before the body is looked at
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
        ProduceResult result = ingest.produce(source, list);
        ObjectNode answer = Answers.object();
        answer.put("source", result.source());
        answer.put("written", result.offsets().size());
        ArrayNode offsets = answer.putArray("offsets");
        for (RecordOffset o : result.offsets()) {
            offsets.addObject().put("partition", o.partition()).put("offset", o.offset());
        }
        answer.put("position", result.position().token());
        answer(ctx, answer);
    }

    // ------------------------------------------------------------------ request decoding

    private ReadOptions readOptions(Context ctx) {
        return readOptions(ctx.queryParam("min_position"), ctx.queryParam("wait_ms"));
    }

    private ReadOptions readOptions(String minPosition, String waitText) {
        Duration wait = null;
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
        return queries.readOptions(minPosition, wait);
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
    private static List<String> keySegments(String rawPath) {
        String[] parts = rawPath.split("/", -1);
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
