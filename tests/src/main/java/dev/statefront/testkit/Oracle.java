package dev.statefront.testkit;

import java.util.Map;
import java.util.TreeMap;

/**
 * The demo views computed directly from the generated orders, in plain Java and independently of
 * Statefront's SQL engine: {@code customer_stats} (placed orders per customer: count, sum, max amount,
 * max ts) and {@code region_status} (orders per region and status: count, average amount).
 */
public final class Oracle {
    /** One customer_stats row. */
    public record CustomerStats(String customerId, long orderCount, long totalCents, long maxCents, long lastTs) {
    }

    /** One region_status row. */
    public record RegionStatus(String region, String status, long n, double avgCents) {
    }

    private final Map<String, long[]> customers = new TreeMap<>(); // count, sum, max, maxTs
    private final Map<String, long[]> regions = new TreeMap<>();   // count, sum

    /** Adds an order to both views. */
    public void add(Order o) {
        if (o.status().equals("placed")) {
            long[] c = customers.computeIfAbsent(o.customerId(), k -> new long[] {0, 0, Long.MIN_VALUE, Long.MIN_VALUE});
            c[0]++;
            c[1] += o.amountCents();
            c[2] = Math.max(c[2], o.amountCents());
            c[3] = Math.max(c[3], o.ts());
        }
        long[] r = regions.computeIfAbsent(o.region() + "\u0000" + o.status(), k -> new long[2]);
        r[0]++;
        r[1] += o.amountCents();
    }

    /** customer_stats rows by customer id, in key (byte) order. */
    public Map<String, CustomerStats> customerStats() {
        Map<String, CustomerStats> out = new TreeMap<>(Oracle::byteOrder);
        customers.forEach((k, c) -> out.put(k, new CustomerStats(k, c[0], c[1], c[2], c[3])));
        return out;
    }

    /** region_status rows keyed by "region|status", in key order. */
    public Map<String, RegionStatus> regionStatus() {
        Map<String, RegionStatus> out = new TreeMap<>();
        regions.forEach((k, r) -> {
            String[] parts = k.split("\u0000");
            out.put(parts[0] + "|" + parts[1], new RegionStatus(parts[0], parts[1], r[0], (double) r[1] / r[0]));
        });
        return out;
    }

    /** Byte order of UTF-8, which for these ASCII keys is String order. */
    private static int byteOrder(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
