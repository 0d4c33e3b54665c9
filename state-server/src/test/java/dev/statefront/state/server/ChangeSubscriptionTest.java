package dev.statefront.state.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.core.ChangeEvent;
import dev.statefront.core.ColumnType;
import dev.statefront.core.KeyCodec;
import dev.statefront.core.Position;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Change subscriptions of an embedded state server (no Kafka: every resume here is served live). */
class ChangeSubscriptionTest {
    static final String VIEW = StateServerTest.VIEW;
    static final Duration SHORT = Duration.ofMillis(50);

    @TempDir
    Path dir;
    StateServer server;
    Feeder feeder;

    @BeforeEach
    void start() {
        server = new StateServer(new StateServerConfig(null, StateServerTest.APP, dir, Map.of(), Duration.ofSeconds(3)));
        feeder = new Feeder(StateServerTest.APP, server.startEmbedded());
        feeder.catalog(StateServerTest.ORDERS).catalog(StateServerTest.ENTRY).flush();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void upsert(String id, long count) {
        feeder.upsert(VIEW, StateServerTest.row(id, count), Position.of("orders", 0, count));
    }

    private ChangeSubscription subscribe(SubscribeRequest request) {
        ReadResult<ChangeSubscription> r = server.subscribe(request);
        assertTrue(r.isOk(), () -> r.status() + " " + r.message());
        return r.value();
    }

    /** Folds events into rows by key; returns the events seen, by type. */
    private static List<SubscriptionEvent> drain(ChangeSubscription s, Map<String, Object[]> folded)
            throws InterruptedException {
        List<SubscriptionEvent> events = new ArrayList<>();
        SubscriptionEvent e;
        while ((e = s.poll(SHORT)) != null) {
            events.add(e);
            if (e.type() == SubscriptionEvent.Type.SNAPSHOT_ROW || e.type() == SubscriptionEvent.Type.CHANGE) {
                String k = (String) e.key()[0];
                if (e.op() == ChangeEvent.Op.DELETE) {
                    folded.remove(k);
                } else {
                    folded.put(k, e.after());
                }
            }
            if (e.type() == SubscriptionEvent.Type.END) {
                break;
            }
        }
        return events;
    }

    private Map<String, Object[]> viewRows() {
        Map<String, Object[]> rows = new TreeMap<>();
        for (ViewRow r : server.scan(VIEW, null, null, 100_000, ReadOptions.NOW).value()) {
            rows.put((String) r.row()[0], r.row());
        }
        return rows;
    }

    private static void assertSameRows(Map<String, Object[]> expected, Map<String, Object[]> actual) {
        assertEquals(expected.keySet(), new TreeMap<>(actual).keySet());
        expected.forEach((k, v) -> assertTrue(Arrays.deepEquals(v, actual.get(k)), k));
    }

    @Test
    void shouldDeliverSnapshotThenEveryLaterChangeExactlyOnce() throws Exception {
        for (int i = 0; i < 1500; i++) {
            upsert("c-" + i, 1);
        }
        feeder.flush();
        ChangeSubscription s = subscribe(SubscribeRequest.snapshot(VIEW));
        Map<String, Object[]> folded = new TreeMap<>();
        // changes arrive while the snapshot is being read: they must follow it, none lost, none twice
        SubscriptionEvent first = s.poll(SHORT);
        assertEquals(SubscriptionEvent.Type.SNAPSHOT_ROW, first.type());
        assertEquals(ChangeEvent.Op.READ, first.op());
        assertNull(first.token());
        folded.put((String) first.key()[0], first.after());
        for (int i = 0; i < 200; i++) {
            upsert("c-" + i, 2);
            upsert("n-" + i, 1);
        }
        feeder.delete(VIEW, new Object[] {"c-7"}, Position.of("orders", 0, 3));
        feeder.flush();
        List<SubscriptionEvent> events = drain(s, folded);
        long rows = events.stream().filter(e -> e.type() == SubscriptionEvent.Type.SNAPSHOT_ROW).count() + 1;
        long changes = events.stream().filter(e -> e.type() == SubscriptionEvent.Type.CHANGE).count();
        assertEquals(1500, rows);
        assertEquals(401, changes);
        assertEquals(1, events.stream().filter(e -> e.type() == SubscriptionEvent.Type.SNAPSHOT_COMPLETE).count());
        assertSameRows(viewRows(), folded);
        s.close();
        assertEquals(0, server.subscriptions());
    }

    @Test
    void shouldResumeFromATokenWithoutGapOrDuplicate() throws Exception {
        upsert("a", 1);
        feeder.flush();
        ChangeSubscription s = subscribe(SubscribeRequest.now(VIEW));
        upsert("b", 1);
        upsert("a", 2);
        feeder.flush();
        SubscriptionEvent e1 = s.poll(SHORT);
        assertEquals("b", e1.key()[0]);
        assertEquals(ChangeEvent.Op.CREATE, e1.op());
        SubscriptionEvent e2 = s.poll(SHORT);
        assertEquals(ChangeEvent.Op.UPDATE, e2.op());
        assertNull(s.poll(SHORT));
        String token = s.resumeToken();
        assertEquals(e2.token(), token);
        s.close();

        ChangeSubscription resumed = subscribe(SubscribeRequest.resume(VIEW, token));
        upsert("c", 1);
        feeder.flush();
        SubscriptionEvent e3 = resumed.poll(SHORT);
        assertEquals("c", e3.key()[0]);
        assertNull(resumed.poll(SHORT));
        resumed.close();
    }

    @Test
    void shouldRejectATokenOfAnotherViewOrGarbage() {
        assertEquals(ReadStatus.INVALID_ARGUMENT, server.subscribe(SubscribeRequest.resume(VIEW, "nonsense")).status());
        assertEquals(ReadStatus.NOT_FOUND, server.subscribe(SubscribeRequest.now("nope")).status());
    }

    @Test
    void shouldDisconnectASlowSubscriberWithAReasonWithoutBlockingTheApplyLoop() throws Exception {
        ChangeSubscription slow = subscribe(SubscribeRequest.now(VIEW).withBufferSize(10));
        ChangeSubscription fast = subscribe(SubscribeRequest.now(VIEW));
        for (int i = 0; i < 50; i++) {
            upsert("k-" + i, 1);
            feeder.flush();
        }
        List<SubscriptionEvent> slowEvents = drain(slow, new TreeMap<>());
        assertEquals(11, slowEvents.size());
        SubscriptionEvent end = slowEvents.get(10);
        assertEquals(SubscriptionEvent.Type.END, end.type());
        assertEquals(SubscriptionEnd.Reason.OVERFLOW, end.end().reason());
        assertNull(slow.poll(SHORT));
        assertEquals(1, server.subscriberOverflows());
        Map<String, Object[]> folded = new TreeMap<>();
        assertEquals(50, drain(fast, folded).size());
        assertEquals(50, folded.size());
        slow.close();
        fast.close();
    }

    @Test
    void shouldFilterByKeyRange() throws Exception {
        byte[] from = KeyCodec.encodePrefix(List.of(ColumnType.VARCHAR), new Object[] {"b"}, true);
        ChangeSubscription s = subscribe(SubscribeRequest.snapshot(VIEW).withKeyRange(from, KeyCodec.prefixEnd(from)));
        upsert("a1", 1);
        upsert("b1", 1);
        upsert("b2", 1);
        upsert("c1", 1);
        feeder.flush();
        Map<String, Object[]> folded = new TreeMap<>();
        drain(s, folded);
        assertEquals(List.of("b1", "b2"), new ArrayList<>(folded.keySet()));
        s.close();
    }

    @Test
    void shouldEndSubscriptionsWhenTheServerStops() throws Exception {
        ChangeSubscription s = subscribe(SubscribeRequest.now(VIEW));
        server.close();
        SubscriptionEvent e = s.poll(SHORT);
        assertNotNull(e);
        assertEquals(SubscriptionEnd.Reason.SERVER_STOPPING, e.end().reason());
    }
}
