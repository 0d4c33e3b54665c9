package dev.statefront.tests.cdc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.app.kafka.EmbeddedKafka;
import dev.statefront.processor.ProcessorConfig;
import dev.statefront.processor.ProcessorServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest role ({@code statefront run --set roles=ingest}) in a child JVM is killed with SIGKILL while rows
 * change in PostgreSQL, more rows change while it is down, and it is started again: the views equal the oracle
 * computed in PostgreSQL exactly (offsets in Kafka: nothing lost; replays are idempotent for tables).
 */
@Tag("slow")
class CdcIngestCrashTest {
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldConvergeExactlyAfterSigkillOfTheIngestMidStream() throws Exception {
        TestPostgres.ensureRunning();
        String app = "cdccrash" + Long.toString(System.nanoTime() % 1_000_000, 36);
        Accounts accounts = new Accounts("accounts_" + app, 29);
        accounts.create();
        accounts.insert(300);
        try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0, 0)) {
            kafka.start();
            String bootstrap = kafka.bootstrapServers();
            String sql = accounts.sql(app + "-accounts");
            Path sqlFile = dir.resolve("views.sql");
            Files.writeString(sqlFile, sql);
            Process ingest = startIngest(bootstrap, app, sqlFile, 1);
            ProcessorServer processor = null;
            try {
                waitForLog(ingest, 1, "capturing into topic");
                processor = new ProcessorServer(new ProcessorConfig(bootstrap, app, dir.resolve("processor"), sql, 3,
                        (short) 1, 200, Map.of()));
                processor.start();
                AtomicBoolean writing = new AtomicBoolean(true);
                AtomicReference<Throwable> writerFailure = new AtomicReference<>();
                Thread writer = new Thread(() -> {
                    try {
                        while (writing.get()) {
                            accounts.randomChanges(20);
                            Thread.sleep(20);
                        }
                    } catch (Throwable t) {
                        writerFailure.set(t);
                    }
                }, "pg-writer");
                writer.start();
                Thread.sleep(3000);
                ingest.destroyForcibly(); // SIGKILL mid-stream: no offset flush, no clean close
                assertTrue(ingest.waitFor(30, TimeUnit.SECONDS));
                Thread.sleep(2000); // rows keep changing while the capture is down
                ingest = startIngest(bootstrap, app, sqlFile, 2);
                waitForLog(ingest, 2, "capturing into topic");
                Thread.sleep(2000);
                writing.set(false);
                writer.join(30_000);
                assertEquals(null, writerFailure.get());
                try (ViewReader views = new ViewReader(bootstrap, app, Accounts.VIEWS)) {
                    accounts.assertViews(views, Duration.ofSeconds(90));
                }
            } finally {
                ingest.destroy();
                ingest.waitFor(30, TimeUnit.SECONDS);
                if (processor != null) {
                    processor.close();
                }
                TestPostgres.dropSlots("statefront_" + app);
                TestPostgres.exec("DROP TABLE IF EXISTS " + accounts.table);
            }
        }
    }

    private Process startIngest(String bootstrap, String app, Path sql, int run) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-cp", System.getProperty("java.class.path"), "dev.statefront.app.StatefrontMain", "run",
                "--sql", sql.toString(),
                "--set", "kafka.bootstrap.servers=" + bootstrap,
                "--set", "roles=ingest",
                "--set", "app.id=" + app,
                "--set", "topic.partitions=3",
                "--set", "data.dir=" + dir.resolve("ingest-data")));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("ingest-run-" + run + ".log").toFile()).start();
    }

    private void waitForLog(Process p, int run, String text) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (!log(run).contains(text)) {
            assertTrue(p.isAlive(), () -> "ingest run " + run + " exited: " + log(run));
            assertTrue(System.currentTimeMillis() < deadline, () -> "ingest run " + run + " never logged '" + text
                    + "': " + log(run));
            Thread.sleep(100);
        }
    }

    private String log(int run) {
        try {
            return Files.readString(dir.resolve("ingest-run-" + run + ".log"));
        } catch (Exception e) {
            return "(no log)";
        }
    }
}
