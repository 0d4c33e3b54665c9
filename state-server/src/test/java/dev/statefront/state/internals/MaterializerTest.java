package dev.statefront.state.internals;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.core.CatalogEntry;
import dev.statefront.core.ChangeEvent;
import dev.statefront.core.ChangeEventCodec;
import dev.statefront.core.CommittedPartition;
import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.core.Position;
import dev.statefront.core.ProgressMarker;
import dev.statefront.core.Schema;
import dev.statefront.core.Topics;
import dev.statefront.state.server.FeedBatch;
import dev.statefront.state.server.ReadOptions;
import dev.statefront.state.store.StateStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaterializerTest {
    static final String APP = "m";
    static final CatalogEntry VIEW = new CatalogEntry(CatalogEntry.Kind.VIEW, "v", "sql",
            Schema.of(List.of(new Column("id", ColumnType.BIGINT)), List.of("id")), Topics.viewChanges(APP, "v"), 2,
            List.of(), Map.of());

    @TempDir
    Path dir;

    @Test
    void shouldPersistWhereToReReadPendingMarkersFrom() {
        String progress = Topics.progress(APP);
        try (StateStore store = StateStore.open(dir)) {
            Materializer m = knowingView(store);
            assertEquals(1, m.catalogNextOffset());
            ProgressMarker ahead = new ProgressMarker("v", 1, 3, Position.of("s", 1, 9), 5, 5);
            ProgressMarker reached = new ProgressMarker("v", 0, 0, Position.of("s", 0, 1), 5, 5);
            m.apply(new FeedBatch().add(progress, 0, 10, ahead.key(), ahead.toJson())
                    .add(progress, 0, 11, reached.key(), reached.toJson()));
            assertEquals(10, m.progressResumeOffset(), "marker at 10 is pending");
            m.apply(new FeedBatch().advance(VIEW.topic(), 1, 3));
            assertEquals(12, m.progressResumeOffset());
            assertEquals(3, m.nextOffset("v", 1));
        }
        try (StateStore store = StateStore.open(dir)) {
            Materializer m = new Materializer(APP, store, Clock.systemUTC(), Duration.ofSeconds(1));
            assertEquals(12, m.progressResumeOffset());
            assertEquals(1, m.catalogNextOffset());
            assertEquals(3, m.nextOffset("v", 1));
            assertEquals(List.of(VIEW), m.viewEntries());
        }
    }

    /** A materializer over {@code store} that has read view v from the catalog (catalog offset 0). */
    private static Materializer knowingView(StateStore store) {
        Materializer m = new Materializer(APP, store, Clock.systemUTC(), Duration.ofSeconds(1));
        m.apply(new FeedBatch().add(Topics.catalog(APP), 0, 0, "view:v".getBytes(StandardCharsets.UTF_8),
                VIEW.toJson()));
        return m;
    }

    /** A change of row {@code id} of view v, partition 0, at {@code offset}: the record bytes and its decoded form. */
    private static CommittedPartition.Change change(long offset, long id, boolean delete) {
        ChangeEventCodec codec = new ChangeEventCodec(APP, VIEW.schema());
        Object[] row = {id};
        ChangeEvent e = delete ? new ChangeEvent(ChangeEvent.Op.DELETE, row, null, 1, "v", 0, Position.EMPTY)
                : new ChangeEvent(ChangeEvent.Op.CREATE, null, row, 1, "v", 0, Position.EMPTY);
        return new CommittedPartition.Change(offset, codec.encodeKey(row), codec.encodeValue(e), row, e);
    }

    private static CommittedPartition committed(long expectFrom, long viewOffset, long sourceOffset,
                                                CommittedPartition.Change... changes) {
        return new CommittedPartition("v", VIEW.topic(), 0, expectFrom, List.of(changes),
                new ProgressMarker("v", 0, viewOffset, Position.of("s", 0, sourceOffset), sourceOffset, 1));
    }

    private static FeedBatch feed(CommittedPartition.Change... changes) {
        FeedBatch b = new FeedBatch();
        for (CommittedPartition.Change c : changes) {
            b.add(VIEW.topic(), 0, c.offset(), c.key(), c.value());
        }
        return b;
    }

    private static Object[] get(Materializer m, long id) {
        return m.get("v", new Object[] {id}, ReadOptions.NOW).value();
    }

    private static long rows(Materializer m) {
        return m.describe("v", ReadOptions.NOW).value().rowCount();
    }

    @Test
    void shouldGiveAPartitionHandedBackToTheFeedAtOnce() {
        try (StateStore store = StateStore.open(dir)) {
            Materializer m = knowingView(store);
            assertEquals(1, m.applyCommitted(List.of(committed(0, 1, 5, change(0, 1, false)))));
            assertTrue(m.handedOverWithin(VIEW.topic(), 0, 60_000), "taken: the feed may stop fetching it");
            m.handedBack(VIEW.topic(), 1);
            m.handedBack(VIEW.topic(), 99);
            m.handedBack("no-such-topic", 0);
            assertTrue(m.handedOverWithin(VIEW.topic(), 0, 60_000), "other partitions and views: nothing changes");
            m.handedBack(VIEW.topic(), 0);
            assertFalse(m.handedOverWithin(VIEW.topic(), 0, 60_000), "handed back: the feed must fetch it");
            assertArrayEquals(new Object[] {1L}, get(m, 1), "what was handed over stays applied");
            // the processor takes the partition again: its next commit covers it again
            assertEquals(1, m.applyCommitted(List.of(committed(1, 2, 6, change(1, 2, false)))));
            assertTrue(m.handedOverWithin(VIEW.topic(), 0, 60_000));
        }
    }

    @Test
    void shouldApplyHandedOverCommitsOnlyWhenNothingBeforeThemIsMissingAndNeverTwice() {
        try (StateStore store = StateStore.open(dir)) {
            Materializer m = knowingView(store);
            // the first transaction of a processor that found the topic at offset 0: taken
            CommittedPartition.Change one = change(0, 1, false);
            CommittedPartition.Change two = change(1, 2, false);
            assertFalse(m.handedOverWithin(VIEW.topic(), 0, 60_000), "nothing handed over yet: the feed reads");
            assertEquals(1, m.applyCommitted(List.of(committed(0, 2, 5, one, two))));
            assertTrue(m.handedOverWithin(VIEW.topic(), 0, 60_000), "taken: the feed may stop fetching it");
            assertFalse(m.handedOverWithin(VIEW.topic(), 1, 60_000), "only the partition taken");
            assertArrayEquals(new Object[] {1L}, get(m, 1));
            assertEquals(2, rows(m));
            assertEquals(2, m.nextOffset("v", 0));
            assertEquals(Position.of("s", 0, 5), m.describe("v", ReadOptions.NOW).position());

            // the Kafka feed delivers the same records afterwards: nothing changes twice
            m.apply(feed(one, two).advance(VIEW.topic(), 0, 3));
            assertEquals(2, rows(m));
            assertEquals(3, m.nextOffset("v", 0), "the feed still moves past the transaction marker");

            // a transaction whose predecessor (offsets 3..4) the server has not applied: left to the feed
            CommittedPartition.Change three = change(3, 3, false);
            CommittedPartition.Change del = change(4, 1, true);
            CommittedPartition.Change four = change(6, 4, false);
            assertEquals(0, m.applyCommitted(List.of(committed(6, 7, 9, four))));
            assertFalse(m.handedOverWithin(VIEW.topic(), 0, 60_000), "refused: the feed must fetch it again");
            assertNull(get(m, 4));
            assertEquals(3, m.nextOffset("v", 0));

            // the feed applies the predecessor; the next hand-over continues from there
            m.apply(feed(three, del).advance(VIEW.topic(), 0, 6));
            assertNull(get(m, 1));
            assertEquals(2, rows(m));
            assertEquals(1, m.applyCommitted(List.of(committed(6, 7, 9, four))));
            assertTrue(m.handedOverWithin(VIEW.topic(), 0, 60_000));
            m.handoffsLost(List.of(committed(7, 8, 10, change(7, 6, false))));
            assertFalse(m.handedOverWithin(VIEW.topic(), 0, 60_000), "a lost hand-over: the feed must fetch it");
            assertArrayEquals(new Object[] {4L}, get(m, 4));
            assertEquals(3, rows(m));
            assertEquals(Position.of("s", 0, 9), m.describe("v", ReadOptions.NOW).position());

            // the feed read that transaction first this time: the hand-over finds it applied
            CommittedPartition.Change five = change(8, 5, false);
            m.apply(feed(five).advance(VIEW.topic(), 0, 10));
            assertEquals(4, rows(m));
            assertEquals(1, m.applyCommitted(List.of(committed(8, 9, 11, five))));
            assertEquals(4, rows(m));
            assertEquals(10, m.nextOffset("v", 0));
            assertEquals(Position.of("s", 0, 11), m.describe("v", ReadOptions.NOW).position(),
                    "its marker still moves the position");
        }
        try (StateStore store = StateStore.open(dir)) {
            Materializer m = new Materializer(APP, store, Clock.systemUTC(), Duration.ofSeconds(1));
            assertEquals(10, m.nextOffset("v", 0), "what was handed over is stored like what was read");
            assertEquals(4, rows(m));
        }
    }

    @Test
    void shouldApplyAMarkerWrittenBeforeItsChangesEndOnlyOnceTheyAreApplied() {
        String progress = Topics.progress(APP);
        try (StateStore store = StateStore.open(dir)) {
            Materializer m = knowingView(store);
            // transaction 1 wrote a change at offset 0 and its commit marker took offset 1
            m.apply(feed(change(0, 1, false)).advance(VIEW.topic(), 0, 2));
            // transaction 2's marker was written before its changes were acknowledged: they start at 1 at the
            // earliest (they are at 2, after the commit marker, where the read position already stands)
            ProgressMarker second = new ProgressMarker("v", 0, 1, Position.of("s", 0, 20), 20, 20, true);
            m.apply(new FeedBatch().add(progress, 0, 0, second.key(), second.toJson()));
            assertEquals(2, m.nextOffset("v", 0));
            assertEquals(Position.EMPTY, m.describe("v", ReadOptions.NOW).position(),
                    "reading past a commit marker is not reading the transaction's changes");
            assertNull(get(m, 2));
            // its changes arrive: the position follows
            m.apply(feed(change(2, 2, false)).advance(VIEW.topic(), 0, 4));
            assertArrayEquals(new Object[] {2L}, get(m, 2));
            assertEquals(Position.of("s", 0, 20), m.describe("v", ReadOptions.NOW).position());
            // an idle marker after them says where they end, as before
            ProgressMarker idle = new ProgressMarker("v", 0, 3, Position.of("s", 0, 25), 25, 25);
            m.apply(new FeedBatch().add(progress, 0, 1, idle.key(), idle.toJson()));
            assertEquals(Position.of("s", 0, 25), m.describe("v", ReadOptions.NOW).position());
            // a marker with changes waits even behind an idle one at the same offset, and is not folded into it
            ProgressMarker idleAgain = new ProgressMarker("v", 0, 9, Position.of("s", 0, 30), 30, 30);
            ProgressMarker changesAt9 = new ProgressMarker("v", 0, 9, Position.of("s", 0, 40), 40, 40, true);
            m.apply(new FeedBatch().add(progress, 0, 2, idleAgain.key(), idleAgain.toJson())
                    .add(progress, 0, 3, changesAt9.key(), changesAt9.toJson()).advance(VIEW.topic(), 0, 9));
            assertEquals(Position.of("s", 0, 30), m.describe("v", ReadOptions.NOW).position());
            assertEquals(3, m.progressResumeOffset(), "the marker with changes is pending");
            m.apply(feed(change(9, 3, false)));
            assertEquals(Position.of("s", 0, 40), m.describe("v", ReadOptions.NOW).position());
        }
        try (StateStore store = StateStore.open(dir)) {
            Materializer m = new Materializer(APP, store, Clock.systemUTC(), Duration.ofSeconds(1));
            assertEquals(4, m.progressResumeOffset());
            assertEquals(Position.of("s", 0, 40), m.describe("v", ReadOptions.NOW).position());
        }
    }

    @Test
    void shouldReadTheStoredFormOfTheVersionBefore() {
        byte[] token = Position.of("s", 0, 5).token().getBytes(StandardCharsets.UTF_8);
        byte[] v1 = java.nio.ByteBuffer.allocate(1 + 8 * 4 + 4 + token.length).put((byte) 1).putLong(12).putLong(100)
                .putLong(8).putLong(3).putInt(token.length).put(token).array();
        assertEquals(new PartitionMeta(12, Position.of("s", 0, 5), 100, 8, 3, 8), PartitionMeta.decode(v1));
    }

    @Test
    void shouldNeverMoveAPositionBackwards() {
        PartitionMeta m = PartitionMeta.INITIAL.withNextOffset(10)
                .withMarker(new ProgressMarker("v", 0, 8, Position.of("s", 0, 5), 100, 100))
                .withMarker(new ProgressMarker("v", 0, 4, Position.of("s", 0, 2), 50, 50));
        assertEquals(Position.of("s", 0, 5), m.position());
        assertEquals(100, m.asOfMs());
        assertEquals(m, PartitionMeta.decode(m.encode()));
    }
}
