package dev.statefront.app.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

class DemoDataTest {

    @Test
    void shouldHaveAFixedSetOfUniqueCustomers() {
        List<ObjectNode> customers = DemoData.customers();
        assertEquals(DemoData.CUSTOMER_COUNT, customers.size());
        Set<String> ids = new HashSet<>();
        for (ObjectNode c : customers) {
            assertEquals(Set.of("customer_id", "name", "tier", "country"), fieldNames(c));
            ids.add(c.get("customer_id").asText());
        }
        assertEquals(DemoData.CUSTOMER_COUNT, ids.size());
        assertEquals(customers, DemoData.customers(), "deterministic");
    }

    @Test
    void shouldGenerateOrdersOfTheDemoSourceShape() {
        Random random = new Random(7);
        Set<String> statuses = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            ObjectNode o = DemoData.order(random, "o-" + i, 1_700_000_000_042L);
            assertEquals(Set.of("order_id", "customer_id", "region", "amount_cents", "status", "ts"), fieldNames(o));
            assertTrue(o.get("amount_cents").isLong() && o.get("amount_cents").asLong() >= 500
                    && o.get("amount_cents").asLong() <= 100_000, o.toString());
            assertTrue(o.get("ts").isLong(), o.toString());
            assertTrue(o.get("customer_id").asText().matches("c-\\d+"), o.toString());
            int customer = Integer.parseInt(o.get("customer_id").asText().substring(2));
            assertTrue(customer < DemoData.CUSTOMER_COUNT);
            assertEquals(DemoData.region(customer), o.get("region").asText(), "region is fixed per customer");
            statuses.add(o.get("status").asText());
        }
        assertEquals(Set.copyOf(DemoData.STATUSES), statuses);
    }

    private static Set<String> fieldNames(ObjectNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
