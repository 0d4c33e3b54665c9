package dev.statefront.gateway.rest;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.HandlerWrapper;

/**
 * Answers the point lookup {@code GET /v1/views/{view}/rows/{key}} in Jetty, in front of Javalin's servlet, and
 * passes every other request on. The answer is {@link RestApi#rowAnswer} or its {@link RestApi#errorReply}, the same
 * bytes the API's error mapping writes for every route, sent in one write with a {@code Content-Length}: a lookup is
 * the hottest request, and Javalin's per-request work (servlet context, session handling, route matching by regular
 * expression, a response copy through a per-response buffer) cost more than the read itself.
 */
final class RowLookupHandler extends HandlerWrapper {
    private static final String PREFIX = "/v1/views/";
    private static final String ROWS = "/rows/";
    private static final String JSON = "application/json";

    private final RestApi api;

    RowLookupHandler(RestApi api) {
        this.api = api;
    }

    @Override
    public void handle(String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response)
            throws IOException, jakarta.servlet.ServletException {
        String path = baseRequest.getHttpURI().getPath();
        int rows = "GET".equals(baseRequest.getMethod()) ? rowsAt(path) : -1;
        if (rows < 0) {
            super.handle(target, baseRequest, request, response);
            return;
        }
        baseRequest.setHandled(true);
        String view = URLDecoder.decode(path.substring(PREFIX.length(), rows), StandardCharsets.UTF_8);
        String minPosition = null;
        String waitMs = null;
        if (baseRequest.getQueryString() != null) {
            minPosition = baseRequest.getParameter("min_position");
            waitMs = baseRequest.getParameter("wait_ms");
        }
        byte[] body;
        try {
            body = api.rowAnswer(view, path, minPosition, waitMs);
            response.setStatus(200);
        } catch (RuntimeException e) {
            RestApi.ErrorReply reply = api.errorReply(e, "GET " + path);
            response.setStatus(reply.status());
            if (reply.retryAfter()) {
                response.setHeader("Retry-After", "1");
            }
            body = reply.body();
        }
        response.setContentType(JSON);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /**
     * Where {@code /rows/} starts in a path {@code /v1/views/{view}/rows/{key...}} with a non-empty view name
     * (one segment) and key, or -1 for any other path.
     */
    static int rowsAt(String path) {
        if (path == null || !path.startsWith(PREFIX)) {
            return -1;
        }
        int slash = path.indexOf('/', PREFIX.length());
        if (slash <= PREFIX.length() || !path.startsWith(ROWS, slash)) {
            return -1;
        }
        int key = slash + ROWS.length();
        return key < path.length() && path.charAt(key) != '/' ? slash : -1;
    }
}
