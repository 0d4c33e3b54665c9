package dev.statefront.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.processor.ProcessorConfig;
import dev.statefront.processor.ProcessorServer;
import dev.statefront.tests.support.Orders;
import dev.statefront.tests.support.Pipeline;
import dev.statefront.tests.support.ViewOracle;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processors join and leave the group while orders keep arriving, on a real broker and RocksDB: a second
 * processor starts beside the first while the first drains a backlog (the group rebalances and each takes a share
 * of the partitions), then the first stops (the second takes them all). Both demo views, one co-partitioned and
 * one through a repartition topic, still equal the oracle of every order produced: nothing lost, nothing counted
 * twice.
 */
@Tag("slow")
class ProcessorRebalanceTest {
    private static final int BACKLOG = 150_000;
    private static final int ORDERS_PER_ROUND = 500;

    @TempDir
    Path dir;

    @Test
    void shouldStayExactWhileProcessorsJoinAndLeaveUnderLoad() throws Exception {
        try (Pipeline pipeline = Pipeline.broker(dir)) {
            // a backlog, so the first rebalance finds the first processor draining it in long transactions
            pipeline.produce(999, 5_000, BACKLOG, null);
            pipeline.startRoles(dir, Orders.DEMO_SQL, false);
            ExecutorService background = Executors.newSingleThreadExecutor();
            AtomicBoolean producing = new AtomicBoolean(true);
            try {
                // a steady stream of orders, a round every 100 ms, until the partitions have moved twice
                Future<?> load = background.submit(() -> {
                    for (int round = 0; producing.get(); round++) {
                        pipeline.produce(1_000 + round, 5_000, ORDERS_PER_ROUND, null);
                        Thread.sleep(100);
                    }
                    return null;
                });
                Thread.sleep(500);
                try (ProcessorServer second = new ProcessorServer(new ProcessorConfig(
                        pipeline.kafka().bootstrapServers(), "statefront", dir.resolve("second"), Orders.DEMO_SQL, 4,
                        (short) 1, 200, Map.of()))) {
                    second.start();
                    // it joins: the partitions are shared out while orders flow
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (second.metrics().recordsIn() == 0 && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    assertTrue(second.metrics().recordsIn() > 0, "the second processor took over partitions");
                    Thread.sleep(1_000);
                    // the first leaves; a static member, its partitions move to the second once its session (15 s)
                    // times out, and orders go on arriving until after that
                    pipeline.processor().close();
                    Thread.sleep(18_000);
                    producing.set(false);
                    load.get(60, TimeUnit.SECONDS); // the last round is in the oracle and on the broker
                    ViewOracle.assertCustomerStats(pipeline.stateServer(), pipeline.produced(), pipeline.oracle());
                    ViewOracle.assertRegionStatus(pipeline.stateServer(), pipeline.produced(), pipeline.oracle());
                }
            } finally {
                // stop producing before the broker closes, also when an assertion failed
                producing.set(false);
                background.shutdownNow();
            }
        }
    }
}
