package dev.statefront.app.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The demo's data: a fixed set of customers and a generator of orders for them. Deterministic
 * for a given {@link Random}, so tests can pin what it produces.
 */
public final class DemoData {

    /** Number of demo customers: {@code c-0} to {@code c-299}. */
    public static final int CUSTOMER_COUNT = 300;
    /** Order statuses; most orders are placed. */
    public static final List<String> STATUSES = List.of("placed", "cancelled");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FIRST = List.of("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald",
            "Leslie", "Margaret", "Ken", "Radia", "John", "Frances", "Tony", "Lynn", "Niklaus", "Shafi");
    private static final List<String> LAST = List.of("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov",
            "Knuth", "Lamport", "Hamilton", "Thompson", "Perlman", "Backus", "Allen", "Hoare", "Conway",
            "Wirth", "Goldwasser");
    private static final List<String> TIERS = List.of("bronze", "silver", "gold");
    /** Countries and the region their orders are served from. */
    private static final String[][] COUNTRY_REGION = {
            {"DE", "eu-west"}, {"FR", "eu-west"}, {"GB", "eu-west"}, {"NL", "eu-west"},
            {"US", "us-east"}, {"CA", "us-east"}, {"MX", "us-west"}, {"US", "us-west"},
            {"IN", "ap-south"}, {"JP", "ap-northeast"}, {"BR", "sa-east"}};

    private DemoData() {
    }

    /** The customer id of customer number {@code i}, e.g. {@code c-17}. */
    public static String customerId(int i) {
        return "c-" + i;
    }

    /** The region customer number {@code i} orders from; fixed per customer. */
    public static String region(int i) {
        return COUNTRY_REGION[i % COUNTRY_REGION.length][1];
    }

    /**
     * All demo customers as JSON objects {@code {"customer_id","name","tier","country"}}, in id order.
     */
    public static List<ObjectNode> customers() {
        Random random = new Random(42);
        List<ObjectNode> customers = new ArrayList<>(CUSTOMER_COUNT);
        for (int i = 0; i < CUSTOMER_COUNT; i++) {
            ObjectNode c = JSON.createObjectNode();
            c.put("customer_id", customerId(i));
            c.put("name", FIRST.get(random.nextInt(FIRST.size())) + " " + LAST.get(random.nextInt(LAST.size())));
            c.put("tier", TIERS.get(random.nextInt(10) < 6 ? 0 : random.nextInt(10) < 7 ? 1 : 2));
            c.put("country", COUNTRY_REGION[i % COUNTRY_REGION.length][0]);
            customers.add(c);
        }
        return customers;
    }

    /**
     * One order: {@code {"order_id","customer_id","region","amount_cents","status","ts"}}. Customers
     * are skewed (low ids order more), amounts log-uniform between 5.00 and 1000.00, one order in
     * ten cancelled.
     *
     * @param random the source of randomness; never {@code null}
     * @param orderId the unique order id
     * @param tsMillis the event time, epoch milliseconds
     */
    public static ObjectNode order(Random random, String orderId, long tsMillis) {
        int customer = random.nextInt(random.nextInt(CUSTOMER_COUNT) + 1);
        long amountCents = Math.round(Math.exp(Math.log(500) + random.nextDouble() * (Math.log(100_000) - Math.log(500))));
        ObjectNode o = JSON.createObjectNode();
        o.put("order_id", orderId);
        o.put("customer_id", customerId(customer));
        o.put("region", region(customer));
        o.put("amount_cents", amountCents);
        o.put("status", random.nextInt(10) == 0 ? "cancelled" : "placed");
        o.put("ts", tsMillis);
        return o;
    }

    /** Compact JSON text of a node. */
    static String toJson(ObjectNode node) {
        return node.toString();
    }
}
