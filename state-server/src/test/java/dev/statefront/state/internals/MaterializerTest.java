package dev.statefront.state.internals;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.statefront.core.CatalogEntry;
import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.core.Position;
import dev.statefront.core.ProgressMarker;
import dev.statefront.core.Schema;
import dev.statefront.core.Topics;
import dev.statefront.state.server.FeedBatch;
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
            Materializer m = new Materializer(APP, store, Clock.systemUTC(), Duration.ofSeconds(1));
            m.apply(new FeedBatch().add(Topics.catalog(APP), 0, 0, "view:v".getBytes(StandardCharsets.UTF_8),
                    VIEW.toJson()));
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
