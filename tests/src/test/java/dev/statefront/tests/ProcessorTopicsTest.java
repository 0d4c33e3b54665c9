package dev.statefront.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.statefront.app.kafka.EmbeddedKafka;
import dev.statefront.processor.ProcessorConfig;
import dev.statefront.processor.ProcessorException;
import dev.statefront.processor.ProcessorServer;
import dev.statefront.tests.support.Orders;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor prepares its topics on a real broker: it creates what is missing with the source's partition
 * count (the source itself with the configured count), starts again on the topics it created, and refuses a view
 * topic that exists with another partition count, naming it.
 */
class ProcessorTopicsTest {
    private static final String SQL = Orders.DEMO_SQL;

    @TempDir
    Path dir;

    @Test
    void shouldCreateMissingTopicsReuseThemAndRefuseAViewTopicWithOtherPartitions() throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), 0, 0)) {
            kafka.start();
            String bootstrap = kafka.bootstrapServers();
            Orders.createTopic(bootstrap, "orders", 3);

            try (ProcessorServer first = processor(bootstrap, "one", dir.resolve("one"))) {
                first.start();
            }
            try (Admin admin = admin(bootstrap)) {
                Map<String, TopicDescription> topics = admin.describeTopics(Set.of("orders", "one-catalog",
                        "one-progress", "one-dlq", "one-view-customer_stats", "one-changelog-customer_stats",
                        "one-repartition-region_status"))
                        .allTopicNames().get(30, TimeUnit.SECONDS);
                assertEquals(3, topics.get("orders").partitions().size(), "the source keeps its partitions");
                assertEquals(1, topics.get("one-catalog").partitions().size());
                assertEquals(1, topics.get("one-progress").partitions().size());
                assertEquals(4, topics.get("one-dlq").partitions().size(), "dead letters: the configured count");
                assertEquals(3, topics.get("one-view-customer_stats").partitions().size(), "as many as the source");
                assertEquals(3, topics.get("one-changelog-customer_stats").partitions().size());
                assertEquals(3, topics.get("one-repartition-region_status").partitions().size());
            }
            try (ProcessorServer again = processor(bootstrap, "one", dir.resolve("one"))) {
                again.start(); // every topic exists now
                assertEquals(ProcessorServer.State.RUNNING, again.state());
            }

            try (Admin admin = admin(bootstrap)) {
                admin.createTopics(List.of(new NewTopic("two-view-customer_stats", 2, (short) 1)))
                        .all().get(30, TimeUnit.SECONDS);
            }
            try (ProcessorServer wrong = processor(bootstrap, "two", dir.resolve("two"))) {
                ProcessorException e = assertThrows(ProcessorException.class, wrong::start);
                assertTrue(e.getMessage().contains("topic 'two-view-customer_stats' of 'customer_stats' has 2 "
                        + "partitions but the source has 3"), e.getMessage());
            }
        }
    }

    private static ProcessorServer processor(String bootstrap, String appId, Path stateDir) {
        return new ProcessorServer(new ProcessorConfig(bootstrap, appId, stateDir, SQL, 4, (short) 1, 200, Map.of()));
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }
}
