package dev.statefront.testkit.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Closed-loop load: K threads, each with its own {@link Client}, send one request after the other for a warmup and
 * then a measured window. Only requests that start inside the window count; the latency percentiles are over the
 * successful ones, errors are counted apart (and followed by a 1 ms pause, so a dead server is not hammered).
 */
public final class TimedLoad {
    private TimedLoad() {
    }

    /** One thread's connection to the system. */
    public interface Client extends AutoCloseable {
        /**
         * Sends one request and waits for its answer.
         *
         * @return how many items the answer holds (rows of a page; 1 for a found key, 0 for a key without a row)
         * @throws Exception when the request failed (counted as an error)
         */
        long call(SplittableRandom random) throws Exception;

        @Override
        default void close() throws Exception {
        }
    }

    /** Opens thread {@code index}'s client. */
    @FunctionalInterface
    public interface ClientFactory {
        Client open(int index) throws Exception;
    }

    /**
     * What a run measured.
     *
     * @param threads   client threads
     * @param seconds   length of the measured window
     * @param requests  successful requests started in the window
     * @param errors    failed requests started in the window
     * @param empty     successful requests whose answer held no item
     * @param items     items in all successful answers
     * @param latency   latencies of the successful requests
     */
    public record Result(int threads, double seconds, long requests, long errors, long empty, long items,
                         Latencies.Summary latency) {
        /** Successful requests per second. */
        public double perSecond() {
            return requests / seconds;
        }
    }

    /** Runs the load and returns what the measured window saw. */
    public static Result run(int threads, Duration warmup, Duration measured, long seed, ClientFactory clients)
            throws InterruptedException {
        long start = System.nanoTime();
        long windowStart = start + warmup.toNanos();
        long windowEnd = windowStart + measured.toNanos();
        List<Latencies> latencies = new ArrayList<>();
        long[][] counts = new long[threads][3]; // per thread: errors, empty answers, items
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            Latencies mine = new Latencies();
            latencies.add(mine);
            Thread worker = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(seed * 1_000_003L + index);
                try (Client client = clients.open(index)) {
                    long began;
                    while ((began = System.nanoTime()) < windowEnd) {
                        long items;
                        try {
                            items = client.call(random);
                        } catch (Exception e) {
                            items = -1;
                        }
                        long took = System.nanoTime() - began;
                        if (began >= windowStart) {
                            if (items < 0) {
                                counts[index][0]++;
                            } else {
                                mine.record(took);
                                counts[index][items == 0 ? 1 : 2] += items == 0 ? 1 : items;
                            }
                        }
                        if (items < 0) {
                            Thread.sleep(1);
                        }
                    }
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            }, "load-" + t);
            workers.add(worker);
            worker.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a load thread failed", failure.get());
        }
        Latencies all = Latencies.merge(latencies);
        long errors = 0;
        long empty = 0;
        long items = 0;
        for (long[] c : counts) {
            errors += c[0];
            empty += c[1];
            items += c[2];
        }
        return new Result(threads, measured.toNanos() / 1e9, all.size(), errors, empty, items, all.summarize());
    }
}
