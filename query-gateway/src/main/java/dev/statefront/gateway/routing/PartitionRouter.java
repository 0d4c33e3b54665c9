package dev.statefront.gateway.routing;

import dev.statefront.core.CatalogEntry;
import dev.statefront.core.KeyCodec;
import dev.statefront.core.Partitions;
import dev.statefront.core.Position;
import dev.statefront.state.server.Freshness;
import dev.statefront.state.server.PartitionStatus;
import dev.statefront.state.server.ReadOptions;
import dev.statefront.state.server.ReadResult;
import dev.statefront.state.server.ReadStatus;
import dev.statefront.state.server.ViewDescription;
import dev.statefront.state.server.ViewRow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.IntUnaryOperator;

/**
 * Routes reads to the state-server replicas holding the involved view partitions: a key goes to the replica
 * serving {@link Partitions#forKey}; a scan fans out to the replicas covering all partitions and is merged in
 * key-byte order; positions merge entry-wise, freshness is the stalest involved. A serving replica is preferred
 * over one that is not. Thread-safe.
 */
public final class PartitionRouter {
    private final List<StateReplica> replicas;

    /** A router over some replicas, in preference order; with none, every read answers UNAVAILABLE. */
    public PartitionRouter(List<StateReplica> replicas) {
        this.replicas = List.copyOf(replicas);
    }

    /** The replicas, in preference order. */
    public List<StateReplica> replicas() {
        return replicas;
    }

    /** True if every replica is in this process ({@link StateReplica#inProcess()}), so reads do no network I/O. */
    public boolean inProcess() {
        return !replicas.isEmpty() && replicas.stream().allMatch(StateReplica::inProcess);
    }

    /** True if some replica answers reads. */
    public boolean serving() {
        return replicas.stream().anyMatch(StateReplica::serving);
    }

    /** The replicas' states, e.g. {@code [local=RUNNING]}. */
    public String status() {
        return replicas.stream().map(r -> r.id() + "=" + r.status()).toList().toString();
    }

    /** The catalog's views, from a serving replica. */
    public ReadResult<List<CatalogEntry>> views() {
        return catalog(StateReplica::views);
    }

    /** The catalog's sources, from a serving replica. */
    public ReadResult<List<CatalogEntry>> sources() {
        return catalog(StateReplica::sources);
    }

    /** A view's catalog entry. */
    public ReadResult<CatalogEntry> view(String name) {
        return catalog(r -> r.view(name));
    }

    /** A source's catalog entry. */
    public ReadResult<CatalogEntry> source(String name) {
        return catalog(r -> r.source(name));
    }

    private <T> ReadResult<T> catalog(Function<StateReplica, ReadResult<T>> call) {
        ReadResult<T> last = ReadResult.failure(ReadStatus.UNAVAILABLE, "no state replica is configured for this "
                + "gateway; run the state-server role in this process or set gateway.replicas");
        for (StateReplica r : ordered()) {
            last = call.apply(r);
            if (last.status() != ReadStatus.UNAVAILABLE) {
                return last;
            }
        }
        return last;
    }

    /**
     * One row by key, from a replica serving the key's partition; a replica that is down or behind the requested
     * position is skipped for the next one serving the partition (asked without waiting again).
     */
    public ReadResult<Object[]> get(CatalogEntry view, Object[] key, ReadOptions options) {
        int partition;
        try {
            partition = Partitions.forKey(view.schema().keyTypes(), key, partitions(view));
        } catch (IllegalArgumentException | ClassCastException e) {
            return invalidKey(view, key, e);
        }
        List<StateReplica> candidates = candidates(view, partition, Set.of());
        if (candidates.isEmpty()) {
            return noReplica(view, Set.of(partition));
        }
        ReadResult<Object[]> last = null;
        ReadOptions o = options;
        for (StateReplica r : candidates) {
            last = r.get(view, key, o);
            if (!retryable(last)) {
                return last;
            }
            o = o.withWaitTimeout(Duration.ZERO);
        }
        return last;
    }

    /** Rows of several keys in request order (null where absent), grouped per replica, with fail-over per group. */
    public ReadResult<List<Object[]>> batchGet(CatalogEntry view, List<Object[]> keys, ReadOptions options) {
        int[] partitionOf = new int[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            try {
                partitionOf[i] = Partitions.forKey(view.schema().keyTypes(), keys.get(i), partitions(view));
            } catch (IllegalArgumentException | ClassCastException e) {
                return invalidKey(view, keys.get(i), e);
            }
        }
        if (keys.isEmpty()) {
            return ReadResult.ok(List.of(), Position.EMPTY, Freshness.UNKNOWN);
        }
        Object[][] rows = new Object[keys.size()][];
        Stamp stamp = new Stamp();
        List<Integer> all = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            all.add(i);
        }
        ReadResult<List<Object[]>> failure = fanOut(view, all, i -> partitionOf[i], options,
                (replica, indexes, o) -> replica.batchGet(view, indexes.size() == keys.size() ? keys
                        : indexes.stream().map(keys::get).toList(), o),
                (indexes, res) -> {
                    for (int j = 0; j < indexes.size(); j++) {
                        rows[indexes.get(j)] = res.value().get(j);
                    }
                    stamp.add(res);
                });
        return failure != null ? failure : ReadResult.ok(Arrays.asList(rows), stamp.position, stamp.freshness);
    }

    /**
     * Rows in key order over an encoded key range, at most {@code limit}, merged over the replicas covering all
     * of the view's partitions; the partitions of a replica that is down or behind go to another replica.
     */
    public ReadResult<List<ViewRow>> scan(CatalogEntry view, byte[] fromInclusive, byte[] toExclusive, int limit,
                                          ReadOptions options) {
        List<List<ViewRow>> parts = new ArrayList<>();
        Stamp stamp = new Stamp();
        ReadResult<List<ViewRow>> failure = fanOut(view, allPartitions(view), p -> p, options,
                (replica, wanted, o) -> replica.scan(view, fromInclusive, toExclusive, limit,
                        replica.servedPartitions(view.name()).equals(new TreeSet<>(wanted)) ? null
                                : new TreeSet<>(wanted), o),
                (wanted, res) -> {
                    parts.add(res.value());
                    stamp.add(res);
                });
        return failure != null ? failure : ReadResult.ok(mergeByKey(parts, limit), stamp.position, stamp.freshness);
    }

    /** A view's description, with row counts and partition states summed over the replicas serving it. */
    public ReadResult<ViewDescription> describe(CatalogEntry view, ReadOptions options) {
        long[] rows = {0};
        Map<Integer, PartitionStatus> statuses = new TreeMap<>();
        CatalogEntry[] entry = {view};
        Stamp stamp = new Stamp();
        ReadResult<ViewDescription> failure = fanOut(view, allPartitions(view), p -> p, options,
                (replica, wanted, o) -> replica.describe(view.name(), o),
                (wanted, res) -> {
                    entry[0] = res.value().entry();
                    for (PartitionStatus s : res.value().partitions()) {
                        if (wanted.contains(s.partition())) {
                            statuses.put(s.partition(), s);
                            rows[0] += s.rowCount();
                        }
                    }
                    stamp.add(res);
                });
        return failure != null ? failure : ReadResult.ok(new ViewDescription(entry[0], rows[0],
                new ArrayList<>(statuses.values())), stamp.position, stamp.freshness);
    }

    /** One replica call of a fan-out: the items given to it (key indexes or partitions) under these options. */
    @FunctionalInterface
    private interface ReplicaCall<T> {
        ReadResult<T> call(StateReplica replica, List<Integer> items, ReadOptions options);
    }

    /**
     * Gives each item (a key index or a partition) to the first replica serving its partition, one call per
     * replica. The items of a replica that is down or behind go to the next replica serving them, asked without
     * waiting again. Each answer is handed to {@code answered} with its items.
     *
     * @return null once every item is answered; else the first answer that another replica would not improve, or,
     *     when an item has no replica left, the last failure (or "no replica")
     */
    private <T> ReadResult<T> fanOut(CatalogEntry view, List<Integer> items, IntUnaryOperator partitionOf,
                                     ReadOptions options, ReplicaCall<T> call,
                                     BiConsumer<List<Integer>, ReadResult<T>> answered) {
        Set<StateReplica> failed = new HashSet<>();
        List<Integer> pending = items;
        ReadOptions o = options;
        ReadResult<T> lastFailure = null;
        while (!pending.isEmpty()) {
            Map<StateReplica, List<Integer>> plan = new LinkedHashMap<>();
            Set<Integer> unserved = new TreeSet<>();
            for (int item : pending) {
                int partition = partitionOf.applyAsInt(item);
                List<StateReplica> c = candidates(view, partition, failed);
                if (c.isEmpty()) {
                    unserved.add(partition);
                } else {
                    plan.computeIfAbsent(c.get(0), x -> new ArrayList<>()).add(item);
                }
            }
            if (!unserved.isEmpty()) {
                return lastFailure != null ? lastFailure : noReplica(view, unserved);
            }
            pending = new ArrayList<>();
            for (Map.Entry<StateReplica, List<Integer>> e : plan.entrySet()) {
                ReadResult<T> res = call.call(e.getKey(), e.getValue(), o);
                if (retryable(res)) {
                    failed.add(e.getKey());
                    pending.addAll(e.getValue());
                    lastFailure = res;
                    continue;
                }
                if (!res.isOk()) {
                    return res;
                }
                answered.accept(e.getValue(), res);
            }
            o = o.withWaitTimeout(Duration.ZERO);
        }
        return null;
    }

    /** The position and freshness of a fanned-out read: positions merged, the least fresh answer's freshness. */
    private static final class Stamp {
        Position position = Position.EMPTY;
        Freshness freshness;

        void add(ReadResult<?> answer) {
            position = position.merge(answer.position());
            freshness = freshness == null ? answer.freshness() : freshness.min(answer.freshness());
        }
    }

    private static List<Integer> allPartitions(CatalogEntry view) {
        List<Integer> all = new ArrayList<>();
        for (int p = 0; p < partitions(view); p++) {
            all.add(p);
        }
        return all;
    }

    /** True for outcomes another replica of the same partitions may answer better. */
    private static boolean retryable(ReadResult<?> r) {
        return r.status() == ReadStatus.UNAVAILABLE || r.status() == ReadStatus.NOT_UP_TO_POSITION;
    }

    /**
     * K-way merge of lists each sorted by key bytes, keeping the first {@code limit} rows. A key present in
     * several lists (replicas of one partition) is kept once.
     */
    public static List<ViewRow> mergeByKey(List<List<ViewRow>> sorted, int limit) {
        if (sorted.size() == 1) {
            List<ViewRow> only = sorted.get(0);
            return only.size() <= limit ? only : only.subList(0, limit);
        }
        PriorityQueue<int[]> heads = new PriorityQueue<>((a, b) ->
                KeyCodec.compare(sorted.get(a[0]).get(a[1]).key(), sorted.get(b[0]).get(b[1]).key()));
        for (int i = 0; i < sorted.size(); i++) {
            if (!sorted.get(i).isEmpty()) {
                heads.add(new int[] {i, 0});
            }
        }
        List<ViewRow> out = new ArrayList<>(Math.min(limit, 1024));
        byte[] last = null;
        while (!heads.isEmpty() && out.size() < limit) {
            int[] h = heads.poll();
            ViewRow row = sorted.get(h[0]).get(h[1]);
            if (last == null || KeyCodec.compare(last, row.key()) != 0) {
                out.add(row);
                last = row.key();
            }
            if (++h[1] < sorted.get(h[0]).size()) {
                heads.add(h);
            }
        }
        return out;
    }

    /** The replicas serving a partition, serving ones first, without the excluded ones. */
    private List<StateReplica> candidates(CatalogEntry view, int partition, Set<StateReplica> excluded) {
        List<StateReplica> out = new ArrayList<>(2);
        for (StateReplica r : ordered()) {
            if (!excluded.contains(r) && r.servedPartitions(view.name()).contains(partition)) {
                out.add(r);
            }
        }
        return out;
    }

    /** Serving replicas first, in configured order. */
    private List<StateReplica> ordered() {
        if (replicas.size() == 1) {
            return replicas;
        }
        List<StateReplica> out = new ArrayList<>(replicas);
        out.sort(Comparator.comparing(r -> !r.serving()));
        return out;
    }

    private static int partitions(CatalogEntry view) {
        return Math.max(1, view.partitions());
    }

    private <T> ReadResult<T> noReplica(CatalogEntry view, Set<Integer> partitions) {
        return ReadResult.failure(ReadStatus.UNAVAILABLE, "no state replica serves view '" + view.name()
                + "' partitions " + partitions + " (replicas: " + status() + ")");
    }

    private static <T> ReadResult<T> invalidKey(CatalogEntry view, Object[] key, RuntimeException e) {
        return ReadResult.failure(ReadStatus.INVALID_ARGUMENT, "key " + Arrays.toString(key) + " does not fit view '"
                + view.name() + "' key " + view.schema().keyColumnNames() + ": " + e.getMessage());
    }

    @Override
    public String toString() {
        return "PartitionRouter" + status();
    }
}
