package dev.statefront.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatefrontConfigTest {

    @TempDir
    Path tmp;

    private StatefrontConfig load(Path file, Map<String, String> env, String... sets) {
        return StatefrontConfig.load(file, env, List.of(sets));
    }

    @Test
    void shouldUseDocumentedDefaults() {
        StatefrontConfig c = load(null, Map.of());
        assertTrue(c.embeddedKafka());
        assertEquals("", c.bootstrapServers());
        assertEquals("statefront", c.appId());
        assertEquals(Path.of("./data").toAbsolutePath().normalize(), c.dataDir());
        assertEquals(c.dataDir().resolve("state"), c.stateDir());
        assertEquals(c.dataDir().resolve("kafka"), c.embeddedKafkaDir());
        assertEquals(8080, c.restPort());
        assertEquals("0.0.0.0", c.restHost());
        assertEquals(9090, c.grpcPort());
        assertEquals(9092, c.embeddedKafkaPort());
        assertEquals(0, c.embeddedKafkaControllerPort());
        assertEquals(4, c.topicPartitions());
        assertEquals((short) 1, c.topicReplicationFactor());
        assertEquals(500L, c.processorProgressIntervalMs());
        assertEquals(4_000L, c.processorTransactionMaxMs());
        assertEquals(EnumSet.allOf(Role.class), c.roles());
        assertTrue(c.kafkaOverrides().isEmpty());
        assertEquals(ConfigSource.DEFAULT, c.sourceOf(StatefrontConfig.REST_PORT));
    }

    @Test
    void shouldApplyFileThenEnvThenSetInIncreasingPrecedence() throws Exception {
        Path file = tmp.resolve("statefront.properties");
        Files.writeString(file, "rest.port=1000\ngrpc.port=1001\napp.id=from-file\ntopic.partitions=7\n");
        Map<String, String> env = Map.of("STATEFRONT_REST_PORT", "2000", "STATEFRONT_GRPC_PORT", "2001");

        StatefrontConfig c = load(file, env, "rest.port=3000");

        assertEquals(3000, c.restPort());
        assertEquals(ConfigSource.SET, c.sourceOf("rest.port"));
        assertEquals(2001, c.grpcPort());
        assertEquals(ConfigSource.ENV, c.sourceOf("grpc.port"));
        assertEquals("from-file", c.appId());
        assertEquals(ConfigSource.FILE, c.sourceOf("app.id"));
        assertEquals(7, c.topicPartitions());
    }

    @Test
    void shouldBoundTheTransactionLengthOfABacklogAsSet() {
        assertEquals(250L, load(null, Map.of(), "processor.transaction.max.ms=250").processorTransactionMaxMs());
        assertEquals(ConfigSource.SET, load(null, Map.of(), "processor.transaction.max.ms=250")
                .sourceOf(StatefrontConfig.PROCESSOR_TRANSACTION_MAX_MS));
    }

    @Test
    void shouldLetTheLastSetWin() {
        assertEquals(3, load(null, Map.of(), "topic.partitions=2", "topic.partitions=3").topicPartitions());
    }

    @Test
    void shouldMapEnvironmentVariablesToKeys() {
        assertEquals("kafka.bootstrap.servers", StatefrontConfig.envToKey("STATEFRONT_KAFKA_BOOTSTRAP_SERVERS"));
        assertEquals("STATEFRONT_EMBEDDED_KAFKA_CONTROLLER_PORT",
                StatefrontConfig.keyToEnv("embedded.kafka.controller.port"));
        for (String key : StatefrontConfig.configDef().names()) {
            assertEquals(key, StatefrontConfig.envToKey(StatefrontConfig.keyToEnv(key)), key);
        }
        StatefrontConfig c = load(null, Map.of("STATEFRONT_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                "PATH", "/usr/bin", "STATEFRONT_JAVA_OPTS", "-Xmx1g", "STATEFRONT_CDS", "0"));
        assertEquals("kafka:9092", c.bootstrapServers());
        assertFalse(c.embeddedKafka());
    }

    @Test
    void shouldRejectUnknownEnvironmentVariableWithStatefrontPrefix() {
        StatefrontConfigException e = assertThrows(StatefrontConfigException.class,
                () -> load(null, Map.of("STATEFRONT_REST_PROT", "1")));
        assertTrue(e.getMessage().contains("STATEFRONT_REST_PROT"), e.getMessage());
        assertTrue(e.getMessage().contains("rest.port"), "suggests the near key: " + e.getMessage());
    }

    @Test
    void shouldRejectUnknownKeysNamingKeyAndSource() throws Exception {
        StatefrontConfigException fromSet = assertThrows(StatefrontConfigException.class,
                () -> load(null, Map.of(), "data.dri=/x"));
        assertTrue(fromSet.getMessage().contains("'data.dri'"), fromSet.getMessage());
        assertTrue(fromSet.getMessage().contains("--set"), fromSet.getMessage());
        assertTrue(fromSet.getMessage().contains("did you mean 'data.dir'"), fromSet.getMessage());
        assertEquals("data.dri", fromSet.key().orElseThrow());

        Path file = tmp.resolve("bad.properties");
        Files.writeString(file, "no.such.key=1\n");
        StatefrontConfigException fromFile = assertThrows(StatefrontConfigException.class, () -> load(file, Map.of()));
        assertTrue(fromFile.getMessage().contains("'no.such.key'"), fromFile.getMessage());
        assertTrue(fromFile.getMessage().contains("config file " + file), fromFile.getMessage());
    }

    @Test
    void shouldRejectBadValuesNamingKeyAndSource() {
        StatefrontConfigException notANumber = assertThrows(StatefrontConfigException.class,
                () -> load(null, Map.of("STATEFRONT_REST_PORT", "eighty")));
        assertTrue(notANumber.getMessage().contains("rest.port"), notANumber.getMessage());
        assertTrue(notANumber.getMessage().contains("environment variable STATEFRONT_REST_PORT"),
                notANumber.getMessage());

        StatefrontConfigException outOfRange = assertThrows(StatefrontConfigException.class,
                () -> load(null, Map.of(), "topic.partitions=0"));
        assertTrue(outOfRange.getMessage().contains("topic.partitions"), outOfRange.getMessage());
        StatefrontConfigException tooLong = assertThrows(StatefrontConfigException.class,
                () -> load(null, Map.of(), "processor.transaction.max.ms=60000"));
        assertTrue(tooLong.getMessage().contains("processor.transaction.max.ms"), tooLong.getMessage());

        StatefrontConfigException badRole = assertThrows(StatefrontConfigException.class,
                () -> load(null, Map.of(), "roles=processor,cook"));
        assertTrue(badRole.getMessage().contains("roles"), badRole.getMessage());

        StatefrontConfigException badAppId = assertThrows(StatefrontConfigException.class,
                () -> load(null, Map.of(), "app.id=has space"));
        assertTrue(badAppId.getMessage().contains("app.id"), badAppId.getMessage());

        assertThrows(StatefrontConfigException.class, () -> load(null, Map.of(), "no-equals-sign"));
    }

    @Test
    void shouldFailOnMissingConfigFile() {
        StatefrontConfigException e = assertThrows(StatefrontConfigException.class,
                () -> load(tmp.resolve("absent.properties"), Map.of()));
        assertTrue(e.getMessage().contains("absent.properties"), e.getMessage());
    }

    @Test
    void shouldPassKafkaClientSettingsThroughTypedAndFilteredPerClient() {
        StatefrontConfig c = load(null, Map.of("STATEFRONT_KAFKA_SECURITY_PROTOCOL", "SSL"),
                "kafka.linger.ms=7", "kafka.max.poll.records=100", "kafka.ssl.key.password=s3cret");

        assertEquals("SSL", c.kafkaOverrides().get("security.protocol"));
        assertEquals(7L, c.producerOverrides().get("linger.ms"));
        assertFalse(c.consumerOverrides().containsKey("linger.ms"));
        assertEquals(100, c.consumerOverrides().get("max.poll.records"));
        assertFalse(c.producerOverrides().containsKey("max.poll.records"));
        assertEquals("SSL", c.adminOverrides().get("security.protocol"));
        assertTrue(c.describe().stream().anyMatch(l -> l.startsWith("kafka.ssl.key.password = [hidden]")),
                String.join("\n", c.describe()));
        assertTrue(c.describe().stream().noneMatch(l -> l.contains("s3cret")));
    }

    @Test
    void shouldRejectUnknownOrManagedKafkaClientSettings() {
        StatefrontConfigException unknown = assertThrows(StatefrontConfigException.class,
                () -> load(null, Map.of(), "kafka.linger.msec=1"));
        assertTrue(unknown.getMessage().contains("kafka.linger.msec"), unknown.getMessage());

        StatefrontConfigException managed = assertThrows(StatefrontConfigException.class,
                () -> load(null, Map.of(), "kafka.isolation.level=read_uncommitted"));
        assertTrue(managed.getMessage().contains("managed by Statefront"), managed.getMessage());

        StatefrontConfigException badValue = assertThrows(StatefrontConfigException.class,
                () -> load(null, Map.of(), "kafka.linger.ms=soon"));
        assertTrue(badValue.getMessage().contains("kafka.linger.ms"), badValue.getMessage());
    }

    @Test
    void shouldDeriveStateDirFromDataDirUnlessSet() {
        Path data = tmp.resolve("d");
        StatefrontConfig derived = load(null, Map.of(), "data.dir=" + data);
        assertEquals(data.resolve("state"), derived.stateDir());

        Path state = tmp.resolve("elsewhere");
        StatefrontConfig explicit = load(null, Map.of(), "data.dir=" + data, "state.dir=" + state);
        assertEquals(state, explicit.stateDir());
    }

    @Test
    void shouldParseRoleLists() {
        assertEquals(EnumSet.of(Role.PROCESSOR), load(null, Map.of(), "roles=processor").roles());
        assertEquals(EnumSet.of(Role.STATE_SERVER, Role.GATEWAY),
                load(null, Map.of(), "roles=state-server, gateway").roles());
    }

    @Test
    void shouldRejectConflictingSettingsNamingBoth() {
        StatefrontConfigException allPlus = assertThrows(StatefrontConfigException.class,
                () -> load(null, Map.of(), "roles=all,processor"));
        assertTrue(allPlus.getMessage().contains("roles"), allPlus.getMessage());

        StatefrontConfigException gatewayAlone = assertThrows(StatefrontConfigException.class,
                () -> load(null, Map.of(), "roles=gateway"));
        assertTrue(gatewayAlone.getMessage().contains("state-server"), gatewayAlone.getMessage());

        StatefrontConfigException samePort = assertThrows(StatefrontConfigException.class,
                () -> load(null, Map.of("STATEFRONT_GRPC_PORT", "7000"), "rest.port=7000"));
        assertTrue(samePort.getMessage().contains("rest.port") && samePort.getMessage().contains("grpc.port"),
                samePort.getMessage());

        StatefrontConfigException replication = assertThrows(StatefrontConfigException.class,
                () -> load(null, Map.of(), "topic.replication.factor=3"));
        assertTrue(replication.getMessage().contains("kafka.bootstrap.servers"), replication.getMessage());
        // with a real cluster the same replication factor is fine
        assertEquals((short) 3, load(null, Map.of(), "topic.replication.factor=3",
                "kafka.bootstrap.servers=k1:9092").topicReplicationFactor());
    }

    @Test
    void shouldBeImmutableOnceBuilt() {
        StatefrontConfig c = load(null, Map.of(), "kafka.linger.ms=1");
        assertThrows(UnsupportedOperationException.class, () -> c.kafkaOverrides().put("x", 1));
        assertThrows(UnsupportedOperationException.class, () -> c.roles().clear());
    }
}
