package dev.statefront.gateway.routing;

import dev.statefront.core.CatalogEntry;
import dev.statefront.state.server.ReadOptions;
import dev.statefront.state.server.ReadResult;
import dev.statefront.state.server.ServerState;
import dev.statefront.state.server.StateServer;
import dev.statefront.state.server.ViewDescription;
import dev.statefront.state.server.ViewRow;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The state server running in this process, called directly (no transport): {@code gateway.local.reads=direct},
 * tests and embedding.
 */
public final class LocalStateReplica implements StateReplica {
    private final StateServer server;

    /** Wraps an in-process state server (started or not; it answers UNAVAILABLE until running). */
    public LocalStateReplica(StateServer server) {
        this.server = Objects.requireNonNull(server, "server");
    }

    @Override
    public String id() {
        return "local";
    }

    @Override
    public boolean inProcess() {
        return true;
    }

    @Override
    public boolean serving() {
        return server.state() == ServerState.RUNNING;
    }

    @Override
    public String status() {
        return server.state().name();
    }

    @Override
    public Set<Integer> servedPartitions(String view) {
        return server.servedPartitions(view);
    }

    @Override
    public ReadResult<List<CatalogEntry>> views() {
        return server.views();
    }

    @Override
    public ReadResult<List<CatalogEntry>> sources() {
        return server.sources();
    }

    @Override
    public ReadResult<CatalogEntry> view(String name) {
        return server.view(name);
    }

    @Override
    public ReadResult<CatalogEntry> source(String name) {
        return server.source(name);
    }

    @Override
    public ReadResult<ViewDescription> describe(String view, ReadOptions options) {
        return server.describe(view, options);
    }

    @Override
    public ReadResult<Object[]> get(CatalogEntry view, Object[] key, ReadOptions options) {
        return server.get(view.name(), key, options);
    }

    @Override
    public ReadResult<List<Object[]>> batchGet(CatalogEntry view, List<Object[]> keys, ReadOptions options) {
        return server.batchGet(view.name(), keys, options);
    }

    @Override
    public ReadResult<List<ViewRow>> scan(CatalogEntry view, byte[] fromInclusive, byte[] toExclusive, int limit,
                                          Set<Integer> partitions, ReadOptions options) {
        return server.scan(view.name(), fromInclusive, toExclusive, limit, partitions, options);
    }
}
