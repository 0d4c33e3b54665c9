package dev.statefront.gateway.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Column;
import dev.statefront.core.Json;
import dev.statefront.core.JsonValues;
import dev.statefront.gateway.changes.ChangeSource;
import dev.statefront.gateway.query.EntityContext;
import dev.statefront.gateway.query.Keys;
import dev.statefront.gateway.query.QueryException;
import dev.statefront.gateway.query.ReadAnswer;
import dev.statefront.gateway.query.ViewQueries;
import dev.statefront.state.server.ChangeSubscription;
import dev.statefront.state.server.ReadOptions;
import dev.statefront.state.server.ReadResult;
import dev.statefront.state.server.SubscribeRequest;
import dev.statefront.state.server.SubscriptionEvent;
import dev.statefront.state.server.ViewDescription;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP server of the gateway at {@value #PATH}: the official MCP Java SDK's server over its Streamable HTTP
 * servlet transport, hosted in the gateway's Jetty next to the REST API (same port). Read-only: tools over
 * {@link ViewQueries} (see {@link ViewTools}), each view's schema as a resource, rows as subscribable resources
 * ({@code statefront://views/{view}/rows/{key...}}) whose changes are pushed as
 * {@code notifications/resources/updated}. Views are re-read every {@link #REFRESH}; a new, dropped or changed view
 * changes the tool list ({@code notifications/tools/list_changed}).
 *
 * <p>The SDK's servlet transport is compiled against Jakarta Servlet 6.1 but calls only Servlet 5 API (request
 * headers and body, {@code startAsync}, {@code AsyncContext}, the response writer), so Jetty 11 hosts it as is.
 */
public final class McpEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(McpEndpoint.class);
    /** The URL path. */
    public static final String PATH = "/mcp";
    /** How often views are re-read for tool-list changes. */
    static final Duration REFRESH = Duration.ofSeconds(2);
    private static final String URI_PREFIX = "statefront://views/";

    private final ViewQueries queries;
    private final ChangeSource changes;
    private final ViewTools tools;
    private final HttpServletStreamableServerTransportProvider transport;
    private final McpSyncServer server;
    private final ScheduledExecutorService refresher;
    /** Registered views by name, with their catalog entries (to notice changed definitions). */
    private final Map<String, CatalogEntry> views = new ConcurrentHashMap<>();
    private final Map<String, RowWatcher> watchers = new ConcurrentHashMap<>();
    /** The servlet mapped at {@value #PATH}: the transport, after starting the row watchers on first use. */
    private final HttpServlet servlet;
    /**
     * Whether any MCP request arrived yet. Only then are the views' changes followed for resource updates: the SDK
     * keeps its subscriptions to itself, and a gateway no agent talks to need not read every change of every view.
     */
    private volatile boolean clientSeen;
    /** Set once the first request's refresh has started the watchers. */
    private volatile boolean watchersStarted;
    private volatile boolean closed;

    /**
     * @param queries the one query path
     * @param changes change streams of the state server in this process, or null (then no recent_changes and no
     *     resource updates)
     */
    public McpEndpoint(ViewQueries queries, ChangeSource changes) {
        this.queries = Objects.requireNonNull(queries, "queries");
        this.changes = changes;
        this.tools = new ViewTools(queries, changes);
        JacksonMcpJsonMapper mapper = new JacksonMcpJsonMapper(Json.mapper());
        this.transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(mapper)
                .mcpEndpoint(PATH)
                .keepAliveInterval(Duration.ofSeconds(15))
                .build();
        List<McpServerFeatures.SyncToolSpecification> fixed = new ArrayList<>();
        for (McpSchema.Tool t : ViewTools.fixedTools()) {
            fixed.add(toolSpec(t));
        }
        this.server = McpServer.sync(transport)
                .serverInfo("statefront", "0.1.0")
                .jsonMapper(mapper)
                .instructions("Statefront serves materialized views computed from Kafka streams. Every answer "
                        + "carries 'position' (pass it back as min_position to read your writes) and 'freshness' "
                        + "(as_of: the data reflects all source events up to this instant; lag_ms: how old that is)."
                        + " Use list_views, then lookup_<view> for keys, scan_rows for ranges, get_context for "
                        + "everything about one entity, recent_changes to catch up.")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).resources(true, true).build())
                .validateToolInputs(false) // our handlers answer bad input as tool errors that say what to fix
                .tools(fixed)
                .requestTimeout(Duration.ofSeconds(60))
                .build();
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "statefront-mcp-views");
            t.setDaemon(true);
            return t;
        });
        this.servlet = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            public void init(ServletConfig config) throws ServletException {
                super.init(config);
                transport.init(config);
            }

            @Override
            protected void service(HttpServletRequest req, HttpServletResponse resp)
                    throws ServletException, IOException {
                requestArrived();
                transport.service((ServletRequest) req, (ServletResponse) resp); // its public entry point
            }

            @Override
            public void destroy() {
                transport.destroy();
                super.destroy();
            }
        };
    }

    /** The servlet to map at {@value #PATH} (async supported). */
    public HttpServlet servlet() {
        return servlet;
    }

    /**
     * An MCP request arrived: from the first one on, the views' changes are followed for resource updates. The
     * watchers start before that request is answered, so no subscription it leads to can miss a change.
     */
    void requestArrived() {
        if (!watchersStarted) {
            synchronized (this) { // the lock refresh() holds: concurrent first requests wait for the watchers
                if (!watchersStarted) {
                    clientSeen = true;
                    refreshQuietly();
                    watchersStarted = true;
                }
            }
        }
    }

    /** The views whose changes are followed for resource updates (none before the first MCP request). */
    Set<String> watchedViews() {
        return Set.copyOf(watchers.keySet());
    }

    /** Reads the views and starts following their changes. */
    public void start() {
        refresher.scheduleWithFixedDelay(this::refreshQuietly, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Re-reads the views now; tools, resources and (once an MCP request arrived) watchers follow; for tests and
     * start-up.
     */
    public synchronized void refresh() {
        if (!queries.serving() || closed) {
            return;
        }
        List<ViewDescription> current = queries.listViews(ReadOptions.NOW).views();
        Map<String, CatalogEntry> now = new HashMap<>();
        current.forEach(d -> now.put(d.entry().name(), d.entry()));
        boolean changed = false;
        for (String name : List.copyOf(views.keySet())) {
            CatalogEntry old = views.get(name);
            CatalogEntry fresh = now.get(name);
            if (fresh == null || !fresh.equals(old)) {
                unregister(old);
                changed = true;
            }
        }
        for (CatalogEntry e : now.values()) {
            if (!views.containsKey(e.name())) {
                register(e);
                changed = true;
            }
        }
        if (changes != null && clientSeen) {
            for (CatalogEntry e : views.values()) {
                if (!watchers.containsKey(e.name())) {
                    RowWatcher w = new RowWatcher(e);
                    if (w.start()) {
                        watchers.put(e.name(), w);
                    }
                }
            }
        }
        if (changed) {
            server.notifyToolsListChanged();
            server.notifyResourcesListChanged();
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (QueryException e) {
            LOG.debug("MCP view refresh skipped: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("MCP view refresh failed: {}", e.toString());
        }
    }

    private void register(CatalogEntry view) {
        server.addTool(toolSpec(ViewTools.lookupTool(view)));
        server.addResource(new McpServerFeatures.SyncResourceSpecification(McpSchema.Resource.builder()
                .uri(URI_PREFIX + view.name() + "/schema")
                .name(view.name() + " schema")
                .description("columns, types, key columns and SQL of view '" + view.name() + "'")
                .mimeType("application/json").build(),
                (exchange, request) -> schemaResource(view.name(), request.uri())));
        StringBuilder template = new StringBuilder(URI_PREFIX + view.name() + "/rows");
        for (Column c : Keys.keyColumns(view)) {
            template.append("/{").append(c.name()).append('}');
        }
        server.addResourceTemplate(new McpServerFeatures.SyncResourceTemplateSpecification(
                McpSchema.ResourceTemplate.builder()
                        .uriTemplate(template.toString())
                        .name(view.name() + " row")
                        .description("one row of view '" + view.name() + "' by key " + Keys.describeKey(view)
                                + " (values URL-encoded); subscribe to be told when it changes")
                        .mimeType("application/json").build(),
                (exchange, request) -> rowResource(request.uri())));
        views.put(view.name(), view);
    }

    private void unregister(CatalogEntry view) {
        views.remove(view.name());
        RowWatcher w = watchers.remove(view.name());
        if (w != null) {
            w.close();
        }
        try {
            server.removeTool(ViewTools.lookupName(view));
            server.removeResource(URI_PREFIX + view.name() + "/schema");
            StringBuilder template = new StringBuilder(URI_PREFIX + view.name() + "/rows");
            for (Column c : Keys.keyColumns(view)) {
                template.append("/{").append(c.name()).append('}');
            }
            server.removeResourceTemplate(template.toString());
        } catch (RuntimeException e) {
            LOG.debug("removing MCP features of view '{}': {}", view.name(), e.toString());
        }
    }

    private McpServerFeatures.SyncToolSpecification toolSpec(McpSchema.Tool tool) {
        return McpServerFeatures.SyncToolSpecification.builder()
                .tool(tool)
                .callHandler((exchange, request) -> tools.call(request.name(), request.arguments()))
                .build();
    }

    // ------------------------------------------------------------------ resources

    /** The URI of a row resource: {@code statefront://views/{view}/rows/{k1}/{k2}...}, values URL-encoded. */
    public static String rowUri(CatalogEntry view, Object[] key) {
        StringBuilder sb = new StringBuilder(URI_PREFIX).append(view.name()).append("/rows");
        List<Column> cols = Keys.keyColumns(view);
        for (int i = 0; i < key.length; i++) {
            String text = JsonValues.toJson(key[i], cols.get(i).type()).asText();
            sb.append('/').append(URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return sb.toString();
    }

    private McpSchema.ReadResourceResult schemaResource(String name, String uri) {
        try {
            CatalogEntry view = queries.view(name, ReadOptions.NOW);
            ReadAnswer<ViewDescription> d = queries.describe(view, ReadOptions.NOW);
            ObjectNode json = ViewTools.viewJson(d.value(), false);
            EntityContext.withReadState(json, d.position(), d.freshness());
            return text(uri, json);
        } catch (QueryException e) {
            throw new McpError(new McpSchema.JSONRPCResponse.JSONRPCError(McpSchema.ErrorCodes.RESOURCE_NOT_FOUND,
                    e.getMessage(), null));
        }
    }

    private McpSchema.ReadResourceResult rowResource(String uri) {
        try {
            if (!uri.startsWith(URI_PREFIX)) {
                throw QueryException.invalid("uri", "not a statefront row URI: " + uri);
            }
            String[] parts = uri.substring(URI_PREFIX.length()).split("/", -1);
            if (parts.length < 3 || !parts[1].equals("rows")) {
                throw QueryException.invalid("uri", "a row URI is statefront://views/{view}/rows/{key...}, got "
                        + uri);
            }
            CatalogEntry view = queries.view(parts[0], ReadOptions.NOW);
            List<String> values = new ArrayList<>();
            for (int i = 2; i < parts.length; i++) {
                values.add(URLDecoder.decode(parts[i], StandardCharsets.UTF_8));
            }
            Object[] key = Keys.fullKeyFromText(view, values, "uri key");
            ReadAnswer<Object[]> r = queries.get(view, key, ReadOptions.NOW);
            ObjectNode json = Json.mapper().createObjectNode();
            json.put("view", view.name());
            json.set("key", JsonValues.rowToJson(Keys.keyColumns(view), key));
            json.put("found", r.value() != null);
            json.set("row", r.value() == null ? null : JsonValues.rowToJson(view.schema().columns(), r.value()));
            EntityContext.withReadState(json, r.position(), r.freshness());
            return text(uri, json);
        } catch (QueryException e) {
            throw new McpError(new McpSchema.JSONRPCResponse.JSONRPCError(
                    e.code() == QueryException.Code.NOT_FOUND ? McpSchema.ErrorCodes.RESOURCE_NOT_FOUND
                            : McpSchema.ErrorCodes.INVALID_PARAMS, e.getMessage(), null));
        }
    }

    private static McpSchema.ReadResourceResult text(String uri, ObjectNode json) {
        try {
            return new McpSchema.ReadResourceResult(List.of(new McpSchema.TextResourceContents(uri,
                    "application/json", Json.mapper().writeValueAsString(json))));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** Follows a view's changes from now on and tells subscribed sessions which rows changed. */
    private final class RowWatcher implements AutoCloseable {
        private final CatalogEntry view;
        private volatile ChangeSubscription sub;
        private volatile Thread thread;

        RowWatcher(CatalogEntry view) {
            this.view = view;
        }

        boolean start() {
            ReadResult<ChangeSubscription> r = changes.subscribe(SubscribeRequest.now(view.name())
                    .withBufferSize(100_000));
            if (!r.isOk()) {
                LOG.debug("MCP row updates of view '{}' not followed: {}", view.name(), r.message());
                return false;
            }
            sub = r.value();
            Thread t = new Thread(this::run, "statefront-mcp-rows-" + view.name());
            t.setDaemon(true);
            thread = t;
            t.start();
            return true;
        }

        private void run() {
            ChangeSubscription s = sub;
            try {
                while (!closed) {
                    SubscriptionEvent e = s.poll(Duration.ofSeconds(1));
                    if (e == null) {
                        continue;
                    }
                    if (e.type() == SubscriptionEvent.Type.END) {
                        if (!closed) {
                            LOG.info("MCP row updates of view '{}' ended ({}); following again", view.name(),
                                    e.end().message());
                            watchers.remove(view.name(), this); // the next refresh follows the view again
                        }
                        return;
                    }
                    if (e.type() == SubscriptionEvent.Type.CHANGE && e.key() != null) {
                        server.notifyResourcesUpdated(new McpSchema.ResourcesUpdatedNotification(
                                rowUri(view, e.key())));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warn("MCP row updates of view '{}' failed: {}", view.name(), e.toString());
            } finally {
                s.close();
            }
        }

        @Override
        public void close() {
            ChangeSubscription s = sub;
            if (s != null) {
                s.close();
            }
            Thread t = thread;
            if (t != null) {
                t.interrupt();
            }
        }
    }

    /** Stops following views and closes every MCP session. */
    @Override
    public void close() {
        closed = true;
        refresher.shutdownNow();
        watchers.values().forEach(RowWatcher::close);
        watchers.clear();
        try {
            server.closeGracefully();
        } catch (RuntimeException e) {
            LOG.debug("closing the MCP server: {}", e.toString());
        }
    }
}
