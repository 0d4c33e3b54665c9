package dev.statefront.tests.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.app.kafka.EmbeddedKafka;
import dev.statefront.ingest.cdc.CdcConfig;
import dev.statefront.ingest.cdc.CdcServer;
import dev.statefront.ingest.cdc.CdcTable;
import dev.statefront.processor.ProcessorConfig;
import dev.statefront.processor.ProcessorServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL → Debezium embedded (ingest) → table topic → processor → view change topics, against a real
 * PostgreSQL with wal_level=logical and a real KRaft broker. After each phase of changes made in PostgreSQL, every
 * view equals its oracle computed by SQL in PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresCdcEndToEndTest {
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private final String app = "cdce2e" + Long.toString(System.nanoTime() % 1_000_000, 36);
    private final Accounts accounts = new Accounts("accounts_" + app, 11);

    @TempDir
    static Path dir;
    private EmbeddedKafka kafka;
    private CdcServer cdc;
    private ProcessorServer processor;
    private ViewReader views;

    @BeforeAll
    void start() throws Exception {
        TestPostgres.ensureRunning();
        accounts.create();
        accounts.insert(200); // there before the capture starts: the snapshot must bring them
        kafka = new EmbeddedKafka(dir.resolve("kafka"), 0, 0);
        kafka.start();
        String sql = accounts.sql(app + "-accounts");
        List<CdcTable> tables = List.of(new CdcTable("accounts", TestPostgres.URL, "public." + accounts.table,
                TestPostgres.USER, TestPostgres.PASSWORD, app + "-accounts",
                List.of("id", "region", "tier", "owner", "balance", "price", "updated"), List.of("id")));
        cdc = new CdcServer(new CdcConfig(kafka.bootstrapServers(), app, 3, (short) 1, Map.of()), tables);
        cdc.start();
        processor = new ProcessorServer(new ProcessorConfig(kafka.bootstrapServers(), app, dir.resolve("processor"),
                sql, 3, (short) 1, 200, Map.of()));
        processor.start();
        views = new ViewReader(kafka.bootstrapServers(), app, Accounts.VIEWS);
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {views, processor, cdc, kafka}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing
            }
        }
        TestPostgres.dropSlots("statefront_" + app);
        TestPostgres.exec("DROP TABLE IF EXISTS " + accounts.table);
    }

    @Test
    @Order(1)
    void shouldNameSlotAndPublicationPredictablyAndFilterThePublicationToTheTable() throws Exception {
        String name = "statefront_" + app + "_accounts";
        assertEquals(name, cdc.engines().get(0).slotName());
        assertEquals(1, TestPostgres.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = '" + name
                + "' AND plugin = 'pgoutput'").size(), "replication slot " + name);
        assertEquals(List.of(List.of("public", accounts.table)), TestPostgres.query(
                "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = '" + name + "'"));
    }

    @Test
    @Order(2)
    void shouldSnapshotExistingRows() throws Exception {
        accounts.assertViews(views, CONVERGE);
    }

    @Test
    @Order(3)
    void shouldFollowInsertsUpdatesGroupMovesAndDeletes() throws Exception {
        accounts.randomChanges(800);
        accounts.assertViews(views, CONVERGE);
    }

    @Test
    @Order(4)
    void shouldDeleteGroupsThatBecomeEmpty() throws Exception {
        accounts.deleteRegion("r4");
        accounts.assertViews(views, CONVERGE);
        assertFalse(views.rows("by_region").keySet().stream().anyMatch(k -> k.contains("r4")));
        assertTrue(views.rows("by_region").keySet().stream().anyMatch(k -> k.contains("r3")));
    }

    @Test
    @Order(5)
    void shouldFindTheNextMinAndMaxWhenTheExtremesAreRetracted() throws Exception {
        accounts.retractExtremes();
        accounts.assertViews(views, CONVERGE);
        accounts.randomChanges(200);
        accounts.retractExtremes();
        accounts.assertViews(views, CONVERGE);
    }
}
