package dev.statefront.processor.internals;

import dev.statefront.core.CatalogEntry;
import dev.statefront.core.DecodeException;
import dev.statefront.core.Topics;
import dev.statefront.processor.ProcessorConfig;
import dev.statefront.processor.ProcessorException;
import dev.statefront.processor.plan.Program;
import dev.statefront.processor.plan.SourceDefinition;
import dev.statefront.processor.plan.ViewPlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares the topics a program needs (creating what is missing, checking what exists) and publishes the
 * program's sources and views on the catalog topic.
 */
public final class ProcessorTopics {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessorTopics.class);
    private static final long TIMEOUT_S = 60;

    private final ProcessorConfig config;

    public ProcessorTopics(ProcessorConfig config) {
        this.config = config;
    }

    /**
     * Creates missing topics, checks partition counts, checks the catalog for conflicting definitions and
     * publishes the program. Returns the runtime view of every view.
     *
     * @throws ProcessorException naming the topic or view that is in the way
     */
    public Map<String, ViewRuntime> prepare(Program program) {
        Properties props = new Properties();
        props.putAll(config.kafkaOverrides());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            // two rounds of one describe and one create each: the sources' partition counts size everything else
            Map<String, NewTopic> first = new LinkedHashMap<>();
            for (SourceDefinition s : program.sources()) {
                want(first, s.topic(), config.topicPartitions(), Map.of());
            }
            want(first, Topics.catalog(config.appId()), 1, compacted());
            want(first, Topics.progress(config.appId()), 1, compacted());
            want(first, Topics.deadLetter(config.appId()), config.topicPartitions(), Map.of());
            Map<String, Integer> counts = ensureAll(admin, first);
            Map<String, Integer> sourcePartitions = new HashMap<>();
            for (SourceDefinition s : program.sources()) {
                sourcePartitions.put(s.name(), counts.get(s.topic()));
            }

            Map<String, NewTopic> second = new LinkedHashMap<>();
            Map<String, String> neededBy = new HashMap<>();
            for (SourceDefinition s : program.sources()) {
                boolean read = program.views().stream().anyMatch(v -> v.source().name().equals(s.name()));
                if (s.table() && read) {
                    String changelog = TablePartitionState.changelogTopic(config.appId(), s.name());
                    want(second, changelog, sourcePartitions.get(s.name()), compacted());
                    neededBy.put(changelog, s.name());
                }
            }
            Map<String, ViewRuntime> views = new LinkedHashMap<>();
            for (ViewPlan plan : program.views()) {
                ViewRuntime v = ViewRuntime.of(config.appId(), plan, sourcePartitions.get(plan.source().name()),
                        config.changeSchemas());
                want(second, v.changeTopic(), v.partitions(), compacted());
                want(second, v.changelogTopic(), v.partitions(), compacted());
                neededBy.put(v.changeTopic(), plan.name());
                neededBy.put(v.changelogTopic(), plan.name());
                if (v.repartitionTopic() != null) {
                    want(second, v.repartitionTopic(), v.partitions(), Map.of());
                    neededBy.put(v.repartitionTopic(), plan.name());
                }
                views.put(plan.name(), v);
            }
            counts = ensureAll(admin, second);
            for (NewTopic t : second.values()) {
                int actual = counts.get(t.name());
                if (actual != t.numPartitions()) {
                    throw new ProcessorException("topic '" + t.name() + "' of '" + neededBy.get(t.name()) + "' has "
                            + actual + " partitions but the source has " + t.numPartitions()
                            + "; delete the topic or use another app.id");
                }
            }
            checkAndPublishCatalog(program, sourcePartitions, views);
            return views;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessorException("interrupted while preparing topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new ProcessorException("cannot prepare topics on " + config.bootstrapServers() + ": "
                    + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
        }
    }

    private static Map<String, String> compacted() {
        return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    }

    private void want(Map<String, NewTopic> wanted, String topic, int partitions, Map<String, String> configs) {
        wanted.putIfAbsent(topic, new NewTopic(topic, partitions, config.replicationFactor()).configs(configs));
    }

    /**
     * The partition count of every wanted topic, creating the absent ones as wanted: one describe for all, then one
     * create for the missing (a topic another instance creates meanwhile is described again).
     */
    private static Map<String, Integer> ensureAll(Admin admin, Map<String, NewTopic> wanted)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, Integer> counts = new HashMap<>();
        if (wanted.isEmpty()) {
            return counts;
        }
        List<NewTopic> missing = new ArrayList<>();
        var described = admin.describeTopics(wanted.keySet()).topicNameValues();
        for (NewTopic t : wanted.values()) {
            try {
                counts.put(t.name(), described.get(t.name()).get(TIMEOUT_S, TimeUnit.SECONDS).partitions().size());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                missing.add(t);
            }
        }
        if (missing.isEmpty()) {
            return counts;
        }
        var created = admin.createTopics(missing).values();
        for (NewTopic t : missing) {
            try {
                created.get(t.name()).get(TIMEOUT_S, TimeUnit.SECONDS);
                LOG.info("created topic {} with {} partitions", t.name(), t.numPartitions());
                counts.put(t.name(), t.numPartitions());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                counts.put(t.name(), describe(admin, t.name()).map(d -> d.partitions().size())
                        .orElse(t.numPartitions()));
            }
        }
        return counts;
    }

    private static Optional<TopicDescription> describe(Admin admin, String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        try {
            return Optional.of(admin.describeTopics(Set.of(topic)).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS)
                    .get(topic));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private void checkAndPublishCatalog(Program program, Map<String, Integer> sourcePartitions,
                                        Map<String, ViewRuntime> views) {
        Map<String, CatalogEntry> existing = readCatalog();
        List<CatalogEntry> entries = new ArrayList<>();
        for (SourceDefinition s : program.sources()) {
            Map<String, String> options = new LinkedHashMap<>(s.options());
            options.remove("password"); // the catalog is readable by every reader of the topics
            String upstreamTable = options.remove("table");
            if (upstreamTable != null) {
                options.put("connector.table", upstreamTable);
            }
            options.put("format", s.format());
            options.put("table", Boolean.toString(s.table()));
            String sql = s.sql().replaceAll("(?i)(password\\s*=\\s*)'(?:[^']|'')*'", "$1'***'");
            entries.add(new CatalogEntry(CatalogEntry.Kind.SOURCE, s.name(), sql, s.schema(), s.topic(),
                    sourcePartitions.get(s.name()), List.of(), options));
        }
        for (ViewRuntime v : views.values()) {
            CatalogEntry old = existing.get("view:" + v.name());
            if (old != null && !normalize(old.sql()).equals(normalize(v.plan().sql()))) {
                throw new ProcessorException("view '" + v.name() + "' already exists with another definition:\n  "
                        + old.sql() + "\nRedefining a view is not supported yet: give the new query another name, "
                        + "or use another app.id (or a fresh data directory).");
            }
            entries.add(new CatalogEntry(CatalogEntry.Kind.VIEW, v.name(), v.plan().sql(), v.plan().schema(),
                    v.changeTopic(), v.partitions(), List.of(v.plan().source().name()),
                    Map.of("copartitioned", Boolean.toString(v.copartitioned()),
                            "changes.schemas", Boolean.toString(config.changeSchemas()))));
        }
        Properties p = new Properties();
        p.putAll(config.kafkaOverrides());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (CatalogEntry e : entries) {
                producer.send(new ProducerRecord<>(Topics.catalog(config.appId()), 0,
                        e.catalogKey().getBytes(java.nio.charset.StandardCharsets.UTF_8), e.toJson()));
            }
            producer.flush();
        }
    }

    private Map<String, CatalogEntry> readCatalog() {
        Properties p = new Properties();
        p.putAll(config.kafkaOverrides());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, CatalogEntry> entries = new HashMap<>();
        TopicPartition tp = new TopicPartition(Topics.catalog(config.appId()), 0);
        try (KafkaConsumer<byte[], byte[]> c =
                     new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp), Duration.ofSeconds(TIMEOUT_S)).get(tp);
            while (c.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    String key = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                    if (r.value() == null) {
                        entries.remove(key);
                        continue;
                    }
                    try {
                        entries.put(key, CatalogEntry.fromJson(r.value()));
                    } catch (DecodeException e) {
                        LOG.warn("ignoring unreadable catalog entry {}: {}", key, e.getMessage());
                    }
                }
            }
        }
        return entries;
    }

    private static String normalize(String sql) {
        return sql == null ? "" : sql.trim().replaceAll("\\s+", " ").replaceAll(";$", "").toLowerCase(java.util.Locale.ROOT);
    }
}
