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
            Map<String, Integer> sourcePartitions = new HashMap<>();
            for (SourceDefinition s : program.sources()) {
                sourcePartitions.put(s.name(), ensure(admin, s.topic(), config.topicPartitions(), Map.of()));
            }
            ensure(admin, Topics.catalog(config.appId()), 1, compacted());
            ensure(admin, Topics.progress(config.appId()), 1, compacted());
            ensure(admin, Topics.deadLetter(config.appId()), config.topicPartitions(), Map.of());
            for (SourceDefinition s : program.sources()) {
                boolean read = program.views().stream().anyMatch(v -> v.source().name().equals(s.name()));
                if (s.table() && read) {
                    ensureExactly(admin, TablePartitionState.changelogTopic(config.appId(), s.name()),
                            sourcePartitions.get(s.name()), compacted(), s.name());
                }
            }
            Map<String, ViewRuntime> views = new LinkedHashMap<>();
            for (ViewPlan plan : program.views()) {
                ViewRuntime v = ViewRuntime.of(config.appId(), plan, sourcePartitions.get(plan.source().name()),
                        config.changeSchemas());
                ensureExactly(admin, v.changeTopic(), v.partitions(), compacted(), plan.name());
                ensureExactly(admin, v.changelogTopic(), v.partitions(), compacted(), plan.name());
                if (v.repartitionTopic() != null) {
                    ensureExactly(admin, v.repartitionTopic(), v.partitions(), Map.of(), plan.name());
                }
                views.put(plan.name(), v);
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

    /** Returns the partition count of the topic, creating it with {@code partitions} if absent. */
    private int ensure(Admin admin, String topic, int partitions, Map<String, String> configs)
            throws InterruptedException, ExecutionException, TimeoutException {
        Optional<TopicDescription> d = describe(admin, topic);
        if (d.isPresent()) {
            return d.get().partitions().size();
        }
        try {
            admin.createTopics(List.of(new NewTopic(topic, partitions, config.replicationFactor()).configs(configs)))
                    .all().get(TIMEOUT_S, TimeUnit.SECONDS);
            LOG.info("created topic {} with {} partitions", topic, partitions);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        return describe(admin, topic).map(t -> t.partitions().size()).orElse(partitions);
    }

    private void ensureExactly(Admin admin, String topic, int partitions, Map<String, String> configs, String view)
            throws InterruptedException, ExecutionException, TimeoutException {
        int actual = ensure(admin, topic, partitions, configs);
        if (actual != partitions) {
            throw new ProcessorException("topic '" + topic + "' of '" + view + "' has " + actual
                    + " partitions but the source has " + partitions + "; delete the topic or use another app.id");
        }
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
