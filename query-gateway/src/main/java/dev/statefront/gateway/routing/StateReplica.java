package dev.statefront.gateway.routing;

import dev.statefront.core.CatalogEntry;
import dev.statefront.state.server.ReadOptions;
import dev.statefront.state.server.ReadResult;
import dev.statefront.state.server.ViewDescription;
import dev.statefront.state.server.ViewRow;
import java.util.List;
import java.util.Set;

/**
 * A state server as the gateway sees it: {@link GrpcReplica} (over TCP, or grpc-java's in-process transport in the
 * all-in-one process) or {@link LocalStateReplica} (direct calls, for tests). Expected outcomes, including a
 * replica that cannot be reached, are {@link ReadResult} values; implementations do not throw for them.
 */
public interface StateReplica {
    /** A name for messages, e.g. {@code local} or {@code host:port}. */
    String id();

    /**
     * True if a read runs on the caller's thread without network I/O: a replica in this process. Reads from such
     * replicas may be answered on a transport thread.
     */
    boolean inProcess();

    /** True if the replica answers reads now. */
    boolean serving();

    /** A short description of the replica's state for health answers and messages. */
    String status();

    /** The partitions of a view this replica serves. */
    Set<Integer> servedPartitions(String view);

    /** The views of the catalog. */
    ReadResult<List<CatalogEntry>> views();

    /** The sources of the catalog. */
    ReadResult<List<CatalogEntry>> sources();

    /** One view's catalog entry. */
    ReadResult<CatalogEntry> view(String name);

    /** One source's catalog entry. */
    ReadResult<CatalogEntry> source(String name);

    /** A view with row counts over the partitions this replica serves. */
    ReadResult<ViewDescription> describe(String view, ReadOptions options);

    /** One row by key; {@code view} is the catalog entry the gateway routed by. */
    ReadResult<Object[]> get(CatalogEntry view, Object[] key, ReadOptions options);

    /** Rows of several keys in request order, null where absent. */
    ReadResult<List<Object[]>> batchGet(CatalogEntry view, List<Object[]> keys, ReadOptions options);

    /** Rows in key order over an encoded key range, restricted to some served partitions (null: all served). */
    ReadResult<List<ViewRow>> scan(CatalogEntry view, byte[] fromInclusive, byte[] toExclusive, int limit,
                                   Set<Integer> partitions, ReadOptions options);
}
