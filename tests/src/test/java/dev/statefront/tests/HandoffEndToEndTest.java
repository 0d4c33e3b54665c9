package dev.statefront.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.processor.ProcessorConfig;
import dev.statefront.processor.ProcessorServer;
import dev.statefront.state.server.ChangeSubscription;
import dev.statefront.state.server.StateServer;
import dev.statefront.state.server.StateServerConfig;
import dev.statefront.state.server.SubscribeRequest;
import dev.statefront.state.server.SubscriptionEvent;
import dev.statefront.tests.support.Pipeline;
import dev.statefront.tests.support.ViewOracle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor hands each committed transaction to the state server of its process (as {@code statefront run}
 * does), on a real broker and RocksDB: the view matches an oracle computed from the same orders after a backlog
 * and after live orders, the hand-over path was really taken (and the change topic was not fetched a second time
 * meanwhile, while change subscribers still got every change), a processor that stops hands its partitions back
 * at once (the feed fetches them again and follows their next writer), and a state server restarted on the same
 * store that reads only the change topics finds every row once (what was handed over was stored with its offsets,
 * so nothing is applied twice or skipped).
 */
class HandoffEndToEndTest {
    private static final String SQL = dev.statefront.tests.support.Orders.DEMO_SQL;

    @TempDir
    Path dir;

    @Test
    void shouldServeHandedOverCommitsExactlyAndKeepTheStoreConsistentWithTheChangeTopics() throws Exception {
        try (Pipeline pipeline = Pipeline.broker(dir)) {
            pipeline.produce(11, 5_000, 12_000, null);
            pipeline.startRoles(dir, SQL, false, true);
            StateServer server = pipeline.stateServer();
            ViewOracle.assertCustomerStats(server, pipeline.produced(), pipeline.oracle());
            long afterBacklog = server.handoffPartitionsApplied();
            assertTrue(afterBacklog > 0, "the backlog's transactions were handed over");

            // live orders: small transactions, each handed over as it commits
            pipeline.produce(100, 5_000, 200, null);
            ViewOracle.assertCustomerStats(server, pipeline.produced(), pipeline.oracle());
            long readBefore = server.feedViewRecordsRead();
            Set<String> placedBy = new HashSet<>();
            int liveOrders = 0;
            try (ChangeSubscription changes = server.subscribe(SubscribeRequest.now("customer_stats")).value()) {
                for (int round = 1; round < 4; round++) {
                    pipeline.produce(100 + round, 5_000, 200, (order, orders) -> {
                        if (order.status().equals("placed")) {
                            placedBy.add(order.customerId());
                        }
                    });
                    liveOrders += 200;
                    ViewOracle.assertCustomerStats(server, pipeline.produced(), pipeline.oracle());
                }
                // change subscribers (SSE, gRPC Subscribe, MCP) get what was handed over: every customer with a
                // placed live order, and no one else
                Set<String> changed = new HashSet<>();
                SubscriptionEvent e;
                while ((e = changes.poll(Duration.ofSeconds(2))) != null) {
                    assertEquals(SubscriptionEvent.Type.CHANGE, e.type(), String.valueOf(e.end()));
                    changed.add((String) e.key()[0]);
                }
                assertEquals(placedBy, changed);
            }
            assertTrue(server.handoffPartitionsApplied() > afterBacklog, "live transactions were handed over");
            // while the processor hands its commits over, the feed does not fetch the change topic too (it would
            // read about one change per placed order here)
            long readLive = server.feedViewRecordsRead() - readBefore;
            assertTrue(readLive < liveOrders / 10, "the feed read " + readLive + " change records of "
                    + liveOrders + " live orders that were handed over");

            // The processor stops: it hands its view partitions back, so the feed fetches them again at once rather
            // than after its 10 s quiet window, and follows their next writer through the change topic (here the
            // same processor restarted without the hand-over, as if the partitions had moved to another process).
            // (the demo SQL's two views, customer_stats and region_status, of 4 partitions each)
            awaitPaused(server, 8, Duration.ofSeconds(30), "while its commits are handed over, every view partition");
            pipeline.processor().close();
            awaitPaused(server, 0, Duration.ofSeconds(5), "once the processor handed its partitions back, none");
            try (ProcessorServer elsewhere = new ProcessorServer(new ProcessorConfig(
                    pipeline.kafka().bootstrapServers(), "statefront", dir.resolve("processor"), SQL, 4, (short) 1,
                    200, Map.of(), false))) {
                elsewhere.start();
                long appliedBefore = server.handoffPartitionsApplied();
                pipeline.produce(300, 5_000, 200, null);
                ViewOracle.assertCustomerStats(server, pipeline.produced(), pipeline.oracle());
                assertEquals(appliedBefore, server.handoffPartitionsApplied(), "nothing handed over any more");
            }

            Path replica = server.config().stateDir();
            server.close();
            try (StateServer reread = new StateServer(new StateServerConfig(pipeline.kafka().bootstrapServers(),
                    "statefront", replica, Map.of(), Duration.ofSeconds(5)))) {
                reread.start();
                assertTrue(reread.awaitRunning(Duration.ofSeconds(60)), "restarted state server runs");
                ViewOracle.assertCustomerStats(reread, pipeline.produced(), pipeline.oracle());
            }
        }
    }

    /** Waits until the feed pauses exactly {@code expected} view partitions, failing after {@code within}. */
    private static void awaitPaused(StateServer server, int expected, Duration within, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (server.feedPausedViewPartitions() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected, server.feedPausedViewPartitions(), what + " paused within " + within);
    }
}
