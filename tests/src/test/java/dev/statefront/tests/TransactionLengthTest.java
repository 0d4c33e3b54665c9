package dev.statefront.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.processor.ProcessorConfig;
import dev.statefront.processor.ProcessorServer;
import dev.statefront.tests.support.Orders;
import dev.statefront.tests.support.Pipeline;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ProcessorConfig#transactionMaxMs()} bounds how long a transaction drains a backlog, on a real broker: the
 * same backlog takes many more transactions under a 1 ms bound than under the largest one allowed, which drains
 * nearly all of it in one transaction.
 */
class TransactionLengthTest {
    private static final String SQL = Orders.SOURCE_SQL + """
            CREATE MATERIALIZED VIEW customer_stats AS
              SELECT customer_id, COUNT(*) AS order_count FROM orders GROUP BY customer_id;
            """;
    private static final int ORDERS = 400_000;

    @TempDir
    Path dir;

    @Test
    void shouldBoundHowLongOneTransactionDrainsABacklog() throws Exception {
        try (Pipeline pipeline = Pipeline.broker(dir)) {
            pipeline.produce(7, 5_000, ORDERS, null);
            String bootstrap = pipeline.kafka().bootstrapServers();
            long longTransactions = transactionsToCatchUp(bootstrap, "long", ProcessorConfig.MAX_TRANSACTION_MAX_MS);
            long shortTransactions = transactionsToCatchUp(bootstrap, "short", 1);
            // 5,000 records a poll: at most a few polls a transaction under 1 ms, so at least 26 of them; under
            // 20 s one drain down to the last 20,000 records, which commit a poll at a time
            assertTrue(shortTransactions >= 26, "short: " + shortTransactions);
            assertTrue(shortTransactions > 2 * longTransactions,
                    "short: " + shortTransactions + ", long: " + longTransactions);
        }
    }

    /** Runs a processor of its own app id over the whole backlog; the transactions it committed to read it all. */
    private long transactionsToCatchUp(String bootstrap, String appId, long transactionMaxMs) throws Exception {
        // a long progress interval: no progress-only transactions while it catches up
        ProcessorConfig config = new ProcessorConfig(bootstrap, appId, dir.resolve(appId), SQL, 4, (short) 1,
                60_000, Map.of(), false, 1, transactionMaxMs);
        try (ProcessorServer processor = new ProcessorServer(config)) {
            processor.start();
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (processor.metrics().recordsIn() < ORDERS && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(ORDERS, processor.metrics().recordsIn(), appId + " read the whole backlog");
            Thread.sleep(1_000); // the last records' transaction commits after they are counted
            return processor.metrics().transactions();
        }
    }
}
