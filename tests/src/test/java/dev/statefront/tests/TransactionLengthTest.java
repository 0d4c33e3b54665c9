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
 * nearly all of it in one transaction, though every fetch is slower than a drain waits for one.
 */
class TransactionLengthTest {
    private static final String SQL = Orders.SOURCE_SQL + """
            CREATE MATERIALIZED VIEW customer_stats AS
              SELECT customer_id, COUNT(*) AS order_count FROM orders GROUP BY customer_id;
            """;
    private static final int ORDERS = 400_000;
    /**
     * The broker holds every fetch for 60 ms (it never has the 50 MB asked for), longer than a drain's 20 ms
     * poll: the slow fetches of two busy cores, made certain.
     */
    private static final Map<String, Object> SLOW_FETCHES = Map.of(
            "fetch.min.bytes", Integer.toString(50 << 20), "fetch.max.wait.ms", "60");

    @TempDir
    Path dir;

    @Test
    void shouldBoundHowLongOneTransactionDrainsABacklog() throws Exception {
        try (Pipeline pipeline = Pipeline.broker(dir)) {
            pipeline.produce(7, 5_000, ORDERS, null);
            String bootstrap = pipeline.kafka().bootstrapServers();
            CatchUp longBound = catchUp(bootstrap, "long", ProcessorConfig.MAX_TRANSACTION_MAX_MS);
            long longTransactions = longBound.transactions();
            long shortTransactions = catchUp(bootstrap, "short", 1).transactions();
            // the first transaction drains until fewer than 20,000 records are left (a poll of 5,000 may take it
            // below), though every fetch is slower than a drain's poll (SLOW_FETCHES): a poll that returns nothing
            // is not the end of a backlog the consumer knows of
            assertTrue(longBound.firstTransactionRecords() >= ORDERS - 25_000,
                    "records taken in before the first commit: " + longBound.firstTransactionRecords());
            // 5,000 records a poll: at most a few polls a transaction under 1 ms, so at least 26 of them; under
            // 20 s one drain down to the last 20,000 records, which commit a poll at a time
            assertTrue(shortTransactions >= 26, "short: " + shortTransactions);
            assertTrue(shortTransactions > 2 * longTransactions,
                    "short: " + shortTransactions + ", long: " + longTransactions);
        }
    }

    /**
     * What a catch-up took: transactions committed to read the whole backlog, and the records read when the first
     * commit of records was seen (those of the first transaction, and perhaps a few of the next).
     */
    private record CatchUp(long transactions, long firstTransactionRecords) {
    }

    /** Runs a processor of its own app id over the whole backlog. */
    private CatchUp catchUp(String bootstrap, String appId, long transactionMaxMs) throws Exception {
        // a long progress interval: no progress-only transactions while it catches up (one may come between the
        // assignment and the first records)
        ProcessorConfig config = new ProcessorConfig(bootstrap, appId, dir.resolve(appId), SQL, 4, (short) 1,
                60_000, SLOW_FETCHES, false, 1, transactionMaxMs);
        try (ProcessorServer processor = new ProcessorServer(config)) {
            processor.start();
            long deadline = System.nanoTime() + 120_000_000_000L;
            long before = -1; // transactions committed before the first records (progress alone)
            long firstTransactionRecords = -1;
            while (processor.metrics().recordsIn() < ORDERS && System.nanoTime() < deadline) {
                long transactions = processor.metrics().transactions();
                long records = processor.metrics().recordsIn(); // counted when taken in, before the commit
                if (before < 0 && records > 0) {
                    before = transactions; // the first records' transaction takes far longer than a millisecond
                } else if (before >= 0 && firstTransactionRecords < 0 && transactions > before) {
                    firstTransactionRecords = records;
                }
                Thread.sleep(1);
            }
            assertEquals(ORDERS, processor.metrics().recordsIn(), appId + " read the whole backlog");
            Thread.sleep(1_000); // the last records' transaction commits after they are counted
            return new CatchUp(processor.metrics().transactions(),
                    firstTransactionRecords < 0 ? ORDERS : firstTransactionRecords);
        }
    }
}
