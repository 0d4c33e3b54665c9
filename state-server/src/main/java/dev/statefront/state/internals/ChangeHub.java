package dev.statefront.state.internals;

import dev.statefront.core.Position;
import dev.statefront.state.server.ChangeSubscription;
import dev.statefront.state.server.ReadResult;
import dev.statefront.state.server.ReadStatus;
import dev.statefront.state.server.SubscribeRequest;
import dev.statefront.state.server.SubscriptionEnd;
import dev.statefront.state.store.StateStore;
import dev.statefront.state.store.StoreSnapshot;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The change subscriptions of one state server. Subscribing and going live happen at a batch boundary of the
 * {@link Materializer} (under its monitor), and the apply thread hands every applied batch's changes to the live
 * subscribers right after the batch is written, still under the monitor: so a subscriber's start position and
 * the first change it is handed always meet exactly. Handing over only appends to bounded per-subscriber
 * buffers, so a slow subscriber never slows the apply thread or anyone else.
 */
public final class ChangeHub implements AutoCloseable {
    /** Events buffered per subscriber unless the request says otherwise. */
    public static final int DEFAULT_BUFFER = 10_000;
    /** The largest buffer a request may ask for. */
    public static final int MAX_BUFFER = 1_000_000;

    private final Materializer materializer;
    private final StateStore store;
    private final String appId;
    private final Map<String, Object> consumerProps;
    private final int defaultBuffer;
    private final Map<String, CopyOnWriteArrayList<ViewSubscription>> live = new ConcurrentHashMap<>();
    private final Set<ViewSubscription> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong overflows = new AtomicLong();
    private volatile boolean closed;

    /**
     * A hub attached to a materializer.
     *
     * @param materializer applies the changes handed to subscribers
     * @param store the store snapshots are taken of
     * @param appId the application id, for client ids
     * @param consumerProps Kafka consumer settings (bootstrap servers and overrides) for re-reading change topics
     *     on resume; null when the server runs without Kafka (resuming behind the applied offsets then fails)
     * @param defaultBuffer events buffered per subscriber by default
     */
    public ChangeHub(Materializer materializer, StateStore store, String appId, Map<String, Object> consumerProps,
                     int defaultBuffer) {
        this.materializer = materializer;
        this.store = store;
        this.appId = appId;
        this.consumerProps = consumerProps == null ? null : Map.copyOf(consumerProps);
        this.defaultBuffer = defaultBuffer;
        materializer.attach(this);
    }

    /**
     * Opens a subscription. Expected failures are values: NOT_FOUND for an unknown view, INVALID_ARGUMENT for a
     * token that is not one of this view, UNAVAILABLE once closed.
     */
    public ReadResult<ChangeSubscription> subscribe(SubscribeRequest request) {
        if (closed) {
            return ReadResult.failure(ReadStatus.UNAVAILABLE, "state server is stopping; subscribe elsewhere or later");
        }
        long[] token = null;
        if (request.start() == SubscribeRequest.Start.TOKEN) {
            try {
                token = ChangeToken.decode(request.view(), request.token());
            } catch (IllegalArgumentException e) {
                return ReadResult.failure(ReadStatus.INVALID_ARGUMENT, e.getMessage());
            }
        }
        long[] resumeAt = token;
        int buffer = request.bufferSize() == 0 ? defaultBuffer : Math.min(request.bufferSize(), MAX_BUFFER);
        return materializer.atBatchBoundary(() -> {
            ViewState v = materializer.viewState(request.view());
            if (v == null) {
                return ReadResult.failure(ReadStatus.NOT_FOUND, "view '" + request.view() + "' does not exist; views: "
                        + materializer.viewEntries().stream().map(e -> e.name()).toList());
            }
            long[] applied = applied(v);
            Position position = Position.EMPTY;
            for (PartitionMeta m : v.partitions) {
                position = position.merge(m.position());
            }
            ViewSubscription s = new ViewSubscription(this, ids.incrementAndGet(), v, request.fromKey(),
                    request.toKey(), buffer);
            switch (request.start()) {
                case SNAPSHOT: {
                    StoreSnapshot snap = store.snapshot();
                    s.startSnapshot(snap, applied, position);
                    addLive(s);
                    break;
                }
                case NOW:
                    s.startLive(applied);
                    addLive(s);
                    break;
                default:
                    if (resumeAt.length != v.partitionCount()) {
                        return ReadResult.failure(ReadStatus.INVALID_ARGUMENT, "resume token has "
                                + resumeAt.length + " partitions but view '" + v.name() + "' has "
                                + v.partitionCount() + "; subscribe from the snapshot again");
                    }
                    s.startCatchUp(resumeAt);
                    if (s.goLiveIfCaughtUp(applied)) {
                        addLive(s);
                    }
            }
            open.add(s);
            return ReadResult.ok(s, position, null);
        });
    }

    private void addLive(ViewSubscription s) {
        live.computeIfAbsent(s.view(), k -> new CopyOnWriteArrayList<>()).add(s);
    }

    private static long[] applied(ViewState v) {
        long[] next = new long[v.partitionCount()];
        for (int p = 0; p < next.length; p++) {
            next[p] = v.partitions[p].nextOffset();
        }
        return next;
    }

    /** True if a view has live subscribers; the apply thread collects changes for those only. */
    boolean hasLive(String view) {
        List<ViewSubscription> l = live.get(view);
        return l != null && !l.isEmpty();
    }

    /** Hands an applied batch's changes to the live subscribers. Apply thread, under the materializer's monitor. */
    void afterBatch(Map<String, List<PublishedChange>> changes) {
        for (Map.Entry<String, CopyOnWriteArrayList<ViewSubscription>> e : live.entrySet()) {
            CopyOnWriteArrayList<ViewSubscription> subs = e.getValue();
            if (subs.isEmpty()) {
                continue;
            }
            ViewState v = materializer.viewState(e.getKey());
            if (v == null) {
                for (ViewSubscription s : subs) {
                    s.endWith(SubscriptionEnd.Reason.VIEW_DROPPED, "view '" + e.getKey() + "' was dropped");
                }
                subs.clear();
                continue;
            }
            long[] applied = applied(v);
            List<PublishedChange> cs = changes.getOrDefault(e.getKey(), List.of());
            for (ViewSubscription s : subs) {
                if (s.partitions() != applied.length) {
                    s.endWith(SubscriptionEnd.Reason.VIEW_DROPPED, "view '" + v.name() + "' was redefined with "
                            + applied.length + " partitions; subscribe again");
                    subs.remove(s);
                } else if (!s.offer(cs, applied)) {
                    subs.remove(s);
                }
            }
        }
    }

    /** Live from the subscriber's cursor if it reached the applied offsets, at a batch boundary. */
    boolean tryGoLive(ViewSubscription s) {
        return materializer.atBatchBoundary(() -> {
            ViewState v = materializer.viewState(s.view());
            if (v == null) {
                s.endWith(SubscriptionEnd.Reason.VIEW_DROPPED, "view '" + s.view() + "' was dropped");
                return false;
            }
            if (v.partitionCount() != s.partitions()) {
                s.endWith(SubscriptionEnd.Reason.VIEW_DROPPED, "view '" + v.name() + "' was redefined with "
                        + v.partitionCount() + " partitions; subscribe again");
                return false;
            }
            if (s.goLiveIfCaughtUp(applied(v))) {
                addLive(s);
                return true;
            }
            return false;
        });
    }

    void unregister(ViewSubscription s) {
        open.remove(s);
        List<ViewSubscription> l = live.get(s.view());
        if (l != null) {
            l.remove(s);
        }
    }

    void countOverflow() {
        overflows.incrementAndGet();
    }

    /** A consumer for re-reading a change topic, or null without Kafka. */
    KafkaConsumer<byte[], byte[]> newConsumer(long subscriptionId) {
        if (consumerProps == null) {
            return null;
        }
        Map<String, Object> props = new HashMap<>(consumerProps);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, appId + "-subscription-" + subscriptionId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(props);
    }

    /** Open subscriptions. */
    public int subscriptions() {
        return open.size();
    }

    /** Subscribers ended because they read too slowly, since start. */
    public long overflows() {
        return overflows.get();
    }

    /** Ends every subscription with SERVER_STOPPING; later subscribes answer UNAVAILABLE. */
    @Override
    public void close() {
        closed = true;
        for (ViewSubscription s : open) {
            s.endWith(SubscriptionEnd.Reason.SERVER_STOPPING, "state server is stopping; resume with the last "
                    + "token elsewhere or later");
        }
        live.clear();
    }
}
