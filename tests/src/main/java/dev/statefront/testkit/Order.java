package dev.statefront.testkit;

import java.util.Locale;

/**
 * One generated order, as produced to the {@code orders} topic.
 *
 * @param orderId unique id
 * @param customerId the customer, also the record key
 * @param region one of a few region names
 * @param amountCents amount in cents
 * @param status {@code placed} or {@code cancelled}
 * @param ts event time, epoch milliseconds
 */
public record Order(String orderId, String customerId, String region, long amountCents, String status, long ts) {
    /** The JSON value, in the shape the demo source declares. */
    public String toJson() {
        return String.format(Locale.ROOT,
                "{\"order_id\":\"%s\",\"customer_id\":\"%s\",\"region\":\"%s\",\"amount_cents\":%d,"
                        + "\"status\":\"%s\",\"ts\":%d}",
                orderId, customerId, region, amountCents, status, ts);
    }
}
