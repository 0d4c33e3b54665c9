package dev.statefront.gateway.query;

import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Position;
import dev.statefront.gateway.routing.PartitionRouter;
import dev.statefront.state.server.Freshness;
import dev.statefront.state.server.ReadOptions;
import dev.statefront.state.server.ReadResult;
import dev.statefront.state.server.ReadStatus;
import dev.statefront.state.server.ViewDescription;
import dev.statefront.state.server.ViewRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every read the gateway answers, once, for all transports: resolving views, routing keys and ranges to the state
 * replicas through a {@link PartitionRouter}, merging, paging and {@code min_position} waits. Failures are
 * {@link QueryException}s; a key without a row is an answer with a null value. Thread-safe.
 */
public final class ViewQueries {
    /** Default page size of a scan. */
    public static final int DEFAULT_LIMIT = 100;
    /** Largest page size of a scan, and most keys of a batch get. */
    public static final int MAX_LIMIT = 10_000;

    private final PartitionRouter router;
    private final Duration defaultWait;

    /**
     * @param router where reads go
     * @param defaultWait how long a read with a {@code min_position} but no explicit wait waits
     */
    public ViewQueries(PartitionRouter router, Duration defaultWait) {
        this.router = Objects.requireNonNull(router, "router");
        this.defaultWait = Objects.requireNonNull(defaultWait, "defaultWait");
    }

    /** The router reads go through. */
    public PartitionRouter router() {
        return router;
    }

    /** How long a read with a {@code min_position} but no explicit wait waits. */
    public Duration defaultWait() {
        return defaultWait;
    }

    /** True if some replica answers reads. */
    public boolean serving() {
        return router.serving();
    }

    /** The replicas' states, e.g. {@code [local=RUNNING]}. */
    public String status() {
        return router.status();
    }

    /**
     * The options of a read.
     *
     * @param minPositionToken a position token, or null/empty for none
     * @param wait how long to wait for it; null for the default (zero without a min position)
     * @throws QueryException INVALID_ARGUMENT (field {@code min_position}) for a token that is not one
     */
    public ReadOptions readOptions(String minPositionToken, Duration wait) {
        Position min = Position.EMPTY;
        if (minPositionToken != null && !minPositionToken.isEmpty()) {
            try {
                min = Position.fromToken(minPositionToken);
            } catch (IllegalArgumentException e) {
                throw QueryException.invalid("min_position", "min_position: " + e.getMessage());
            }
        }
        Duration w = wait != null ? wait : min.isEmpty() ? Duration.ZERO : defaultWait;
        return new ReadOptions(min, w);
    }

    // ------------------------------------------------------------------ catalog

    /**
     * A view's catalog entry.
     *
     * @throws QueryException NOT_FOUND naming the known views, or UNAVAILABLE
     */
    public CatalogEntry view(String name, ReadOptions options) {
        if (name == null || name.isEmpty()) {
            throw QueryException.invalid("view", "view: give the name of a view");
        }
        return check(router.view(name), options, name).value();
    }

    /** The sources of the catalog. */
    public List<CatalogEntry> sources() {
        return check(router.sources(), ReadOptions.NOW, null).value();
    }

    /**
     * A source's catalog entry.
     *
     * @throws QueryException NOT_FOUND naming the known sources, or UNAVAILABLE
     */
    public CatalogEntry source(String name) {
        ReadResult<CatalogEntry> r = router.source(name);
        if (r.status() == ReadStatus.NOT_FOUND) {
            throw new QueryException(QueryException.Code.NOT_FOUND, "SOURCE_NOT_FOUND", r.message(),
                    Map.of("source", name), List.of(), Map.of());
        }
        return check(r, ReadOptions.NOW, null).value();
    }

    /** Every view with its exact row count, at the merged position of all of them. */
    public ViewList listViews(ReadOptions options) {
        List<CatalogEntry> views = check(router.views(), options, null).value();
        List<ViewDescription> out = new ArrayList<>(views.size());
        Position position = Position.EMPTY;
        Freshness freshness = null;
        for (CatalogEntry e : views) {
            ReadResult<ViewDescription> d = router.describe(e, options);
            if (d.status() == ReadStatus.NOT_FOUND) {
                continue; // dropped while listing
            }
            check(d, options, e.name());
            out.add(d.value());
            position = position.merge(d.position());
            freshness = freshness == null ? d.freshness() : freshness.min(d.freshness());
        }
        return new ViewList(out, position, freshness);
    }

    /** One view with its row count and partition states. */
    public ReadAnswer<ViewDescription> describe(CatalogEntry view, ReadOptions options) {
        ReadResult<ViewDescription> r = check(router.describe(view, options), options, view.name());
        return new ReadAnswer<>(r.value(), r.position(), r.freshness());
    }

    // ------------------------------------------------------------------ rows

    /** The row of a full key (from {@link Keys}); the answer's value is null when the key has no row. */
    public ReadAnswer<Object[]> get(CatalogEntry view, Object[] key, ReadOptions options) {
        ReadResult<Object[]> r = check(router.get(view, key, options), options, view.name());
        return new ReadAnswer<>(r.value(), r.position(), r.freshness());
    }

    /**
     * The rows of several full keys, in request order, null where a key has no row.
     *
     * @throws QueryException INVALID_ARGUMENT for more than {@link #MAX_LIMIT} keys
     */
    public ReadAnswer<List<Object[]>> batchGet(CatalogEntry view, List<Object[]> keys, ReadOptions options) {
        if (keys.size() > MAX_LIMIT) {
            throw QueryException.invalid("keys", "at most " + MAX_LIMIT + " keys per batchGet, got " + keys.size());
        }
        ReadResult<List<Object[]>> r = check(router.batchGet(view, keys, options), options, view.name());
        return new ReadAnswer<>(r.value(), r.position(), r.freshness());
    }

    /**
     * Checks a page size.
     *
     * @throws QueryException INVALID_ARGUMENT (the given field) unless 1 to {@link #MAX_LIMIT}
     */
    public static int checkLimit(long limit, String field) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw QueryException.invalid(field, field + " must be a whole number from 1 to " + MAX_LIMIT + ", got '"
                    + limit + "'");
        }
        return (int) limit;
    }

    /** Up to {@code limit} rows of a range in key order across all partitions, with the cursor of the rest. */
    public ScanPage scan(CatalogEntry view, KeyRange range, int limit, ReadOptions options) {
        checkLimit(limit, "limit");
        if (range.empty()) {
            ReadAnswer<ViewDescription> d = describe(view, options);
            return new ScanPage(List.of(), null, d.position(), d.freshness());
        }
        ReadResult<List<ViewRow>> r = check(router.scan(view, range.lower(), range.upper(), limit + 1, options),
                options, view.name());
        List<ViewRow> rows = r.value();
        String next = null;
        if (rows.size() > limit) {
            next = Keys.cursorOf(rows.get(limit).key());
            rows = rows.subList(0, limit);
        }
        return new ScanPage(rows, next, r.position(), r.freshness());
    }

    // ------------------------------------------------------------------ failures

    /** The result if OK, else the QueryException that answers it. */
    private static <T> ReadResult<T> check(ReadResult<T> r, ReadOptions options, String view) {
        switch (r.status()) {
            case OK:
                return r;
            case NOT_FOUND: {
                Map<String, String> md = view == null ? Map.of() : Map.of("view", view);
                throw new QueryException(QueryException.Code.NOT_FOUND, "VIEW_NOT_FOUND", r.message(), md, List.of(),
                        Map.of());
            }
            case INVALID_ARGUMENT:
                throw QueryException.invalid("key", r.message());
            case NOT_UP_TO_POSITION: {
                Map<String, String> md = new LinkedHashMap<>();
                if (view != null) {
                    md.put("view", view);
                }
                md.put("position", r.position().token());
                md.put("min_position", options.minPosition().token());
                md.put("waited_ms", Long.toString(options.waitTimeout().toMillis()));
                md.put("missing", r.missing().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .collect(java.util.stream.Collectors.joining(",")));
                throw new QueryException(QueryException.Code.NOT_UP_TO_POSITION, "NOT_UP_TO_POSITION", r.message(),
                        md, List.of(), r.missing());
            }
            default:
                throw new QueryException(QueryException.Code.UNAVAILABLE, "UNAVAILABLE", r.message(),
                        view == null ? Map.of() : Map.of("view", view), List.of(), Map.of());
        }
    }

}
