package dev.statefront.ingest.cdc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change data capture part of the ingest role: creates each captured table's topic (compacted, keyed by the
 * primary key) and runs one {@link PostgresCdcEngine} per table.
 *
 * <p>Lifecycle: {@code CREATED → STARTING → RUNNING → STOPPING → STOPPED}; a failed start stops what had started.
 */
public final class CdcServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CdcServer.class);

    /** Lifecycle states. */
    public enum State { CREATED, STARTING, RUNNING, STOPPING, STOPPED, FAILED }

    private final CdcConfig config;
    private final List<CdcTable> tables;
    private final List<PostgresCdcEngine> engines = new ArrayList<>();
    private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);

    /**
     * @param config shared settings; not null
     * @param tables the tables to capture, possibly none
     */
    public CdcServer(CdcConfig config, List<CdcTable> tables) {
        this.config = config;
        this.tables = List.copyOf(tables);
    }

    /**
     * Creates missing topics and starts every capture.
     *
     * @throws CdcException naming the table that cannot be captured and what to change
     * @throws IllegalStateException if already started
     */
    public void start() {
        if (!state.compareAndSet(State.CREATED, State.STARTING)) {
            throw new IllegalStateException("change data capture cannot start from state " + state.get());
        }
        try {
            if (!tables.isEmpty()) {
                createTopics();
            }
            for (CdcTable t : tables) {
                PostgresCdcEngine e = new PostgresCdcEngine(config, t);
                engines.add(e);
                e.start();
            }
            state.set(State.RUNNING);
        } catch (RuntimeException e) {
            stopEngines();
            state.set(State.FAILED);
            throw e;
        }
    }

    public State state() {
        return state.get();
    }

    /** The running captures, in table order. */
    public List<PostgresCdcEngine> engines() {
        return Collections.unmodifiableList(engines);
    }

    private void createTopics() {
        Properties p = new Properties();
        p.putAll(config.kafkaOverrides());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            for (CdcTable t : tables) {
                if (existing.contains(t.topic())) {
                    continue;
                }
                try {
                    admin.createTopics(List.of(new NewTopic(t.topic(), config.topicPartitions(),
                            config.replicationFactor()).configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                            TopicConfig.CLEANUP_POLICY_COMPACT)))).all().get(60, TimeUnit.SECONDS);
                    LOG.info("created topic {} for {}", t.topic(), t);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CdcException("interrupted while creating table topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new CdcException("cannot create table topics on " + config.bootstrapServers() + ": "
                    + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
        }
    }

    /** Stops every capture (each commits the offsets of what it wrote). Idempotent. */
    @Override
    public void close() {
        State s = state.get();
        if (s == State.STOPPED || s == State.STOPPING) {
            return;
        }
        state.set(State.STOPPING);
        stopEngines();
        state.set(State.STOPPED);
    }

    private void stopEngines() {
        for (int i = engines.size() - 1; i >= 0; i--) {
            try {
                engines.get(i).close();
            } catch (RuntimeException e) {
                LOG.warn("stopping capture of {} failed: {}", tables.get(i), e.toString());
            }
        }
    }
}
