package dev.statefront.app.config;

import dev.statefront.processor.ProcessorConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Statefront's settings, validated once at start and immutable afterwards.
 *
 * <p>Sources, lowest precedence first: the definition's default, a properties file
 * ({@code --config}), {@code STATEFRONT_*} environment variables (the key upper-cased with dots
 * as underscores, e.g. {@code STATEFRONT_KAFKA_BOOTSTRAP_SERVERS}), and {@code --set key=value}.
 * Keys starting with {@code kafka.} other than {@link #KAFKA_BOOTSTRAP_SERVERS} are Kafka client
 * settings passed through to Statefront's producers, consumers and admin clients
 * (e.g. {@code kafka.security.protocol=SSL}).
 *
 * <p>An unknown key, a bad value or two conflicting settings fail {@link #load} with a
 * {@link StatefrontConfigException} naming the key and the source of its value.
 */
public final class StatefrontConfig extends AbstractConfig {

    /** Prefix of environment variables read as settings. */
    public static final String ENV_PREFIX = "STATEFRONT_";
    /** Environment variables with {@link #ENV_PREFIX} that are not settings (used by the launcher). */
    public static final Set<String> RESERVED_ENV = Set.of("STATEFRONT_JAVA_OPTS", "STATEFRONT_CDS", "STATEFRONT_HOME");
    /** Prefix of Kafka client settings passed through to Statefront's clients. */
    public static final String KAFKA_PREFIX = "kafka.";

    public static final String KAFKA_BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";
    private static final String KAFKA_BOOTSTRAP_SERVERS_DOC = "Kafka cluster to use, as host:port pairs"
            + " separated by commas. Empty starts a real single-node KRaft broker inside this process,"
            + " with its data under ${data.dir}/kafka.";

    public static final String APP_ID = "app.id";
    private static final String APP_ID_DOC = "Identifier of this Statefront application: prefixes its"
            + " internal topics, consumer groups and transactional ids. Instances with the same app.id"
            + " share the work; letters, digits, '.', '_' and '-' only.";

    public static final String DATA_DIR = "data.dir";
    private static final String DATA_DIR_DOC = "Directory for all local data (embedded Kafka, state);"
            + " relative paths resolve against the current working directory.";

    public static final String STATE_DIR = "state.dir";
    private static final String STATE_DIR_DOC = "Directory for RocksDB state of the processor and state"
            + " server. Unset means ${data.dir}/state.";

    public static final String REST_HOST = "rest.host";
    private static final String REST_HOST_DOC = "Address the REST gateway binds to.";

    public static final String REST_PORT = "rest.port";
    private static final String REST_PORT_DOC = "Port of the REST gateway; 0 picks a free port.";

    public static final String GRPC_PORT = "grpc.port";
    private static final String GRPC_PORT_DOC = "Port of the gateway's gRPC API (statefront.v1 QueryService and"
            + " IngestService, health, reflection), bound on rest.host; 0 picks a free port.";

    public static final String STATE_SERVER_GRPC_PORT = "state.server.grpc.port";
    private static final String STATE_SERVER_GRPC_PORT_DOC = "Port of the state server's internal gRPC"
            + " ReplicaService, through which gateways in other processes read it (bound on rest.host). Served"
            + " when this process runs the state-server role without the gateway role, or when set explicitly;"
            + " an all-in-one process reaches its state server in-process. 0 picks a free port.";

    public static final String GATEWAY_REPLICAS = "gateway.replicas";
    private static final String GATEWAY_REPLICAS_DOC = "State servers in other processes the gateway reads from,"
            + " as host:port of their ReplicaService (state.server.grpc.port), separated by commas. Needed when"
            + " the gateway runs without the state-server role; replicas that are down or behind are skipped for"
            + " another one serving the same partitions.";

    public static final String GATEWAY_LOCAL_READS = "gateway.local.reads";
    private static final String GATEWAY_LOCAL_READS_DOC = "How a gateway reaches the state server of its own"
            + " process: 'grpc' through the internal ReplicaService over grpc-java's in-process transport (the same"
            + " path as a remote replica), or 'direct' by calling it (no transport; faster point lookups).";

    public static final String EMBEDDED_KAFKA_PORT = "embedded.kafka.port";
    private static final String EMBEDDED_KAFKA_PORT_DOC = "Port of the embedded broker's client listener"
            + " on 127.0.0.1, used only when kafka.bootstrap.servers is empty. Fixed by default so that"
            + " Kafka tools can connect to 127.0.0.1:9092; 0 picks a free port at each start.";

    public static final String EMBEDDED_KAFKA_CONTROLLER_PORT = "embedded.kafka.controller.port";
    private static final String EMBEDDED_KAFKA_CONTROLLER_PORT_DOC = "Port of the embedded broker's KRaft"
            + " controller listener on 127.0.0.1. Only the broker itself talks to it, so the default 0"
            + " picks a free port at each start.";

    public static final String TOPIC_PARTITIONS = "topic.partitions";
    private static final String TOPIC_PARTITIONS_DOC = "Partitions of the topics Statefront creates (view"
            + " change topics, demo topics).";

    public static final String TOPIC_REPLICATION_FACTOR = "topic.replication.factor";
    private static final String TOPIC_REPLICATION_FACTOR_DOC = "Replication factor of the topics Statefront"
            + " creates; 1 fits the embedded broker, use 3 on a real cluster.";

    public static final String PROCESSOR_PROGRESS_INTERVAL_MS = "processor.progress.interval.ms";
    private static final String PROCESSOR_PROGRESS_INTERVAL_MS_DOC = "How often an idle processor reports its"
            + " progress (busy processors report with every transaction), in milliseconds; bounds lag_ms when idle.";

    public static final String PROCESSOR_THREADS = "processor.threads";
    private static final String PROCESSOR_THREADS_DOC = "Processing loops in this process; each is a member of the"
            + " processor's consumer group with its own transactional producers and takes a share of the source"
            + " partitions, so more than the number of source partitions leaves some idle.";

    public static final String PROCESSOR_TRANSACTION_MAX_MS = "processor.transaction.max.ms";
    private static final String PROCESSOR_TRANSACTION_MAX_MS_DOC = "Under a backlog, how long one transaction goes"
            + " on taking in records before it commits, in milliseconds (at most 1,000,000 records either way)."
            + " Longer writes fewer change and changelog records per input record while catching up; shorter makes"
            + " the first results of a backlog visible sooner. Under light load each poll commits at once. At most"
            + " 20 s, well inside the producers' transaction timeout (30 s).";

    public static final String PROCESSOR_LOCAL_HANDOFF = "processor.local.handoff";
    private static final String PROCESSOR_LOCAL_HANDOFF_DOC = "When the processor and the state server run in the"
            + " same process, hand each committed transaction's view changes to the state server directly, so reads"
            + " see a commit without the round trip through the change topics (which the state server still"
            + " follows, for anything it did not get this way). False: the state server reads only the topics.";

    public static final String VIEW_CHANGES_SCHEMAS = "view.changes.schemas";
    private static final String VIEW_CHANGES_SCHEMAS_DOC = "Write view change topics with Kafka Connect's embedded"
            + " schema ({\"schema\": ..., \"payload\": ...}, as JsonConverter with schemas.enable=true), so Debezium"
            + " sinks and SMTs such as ExtractNewRecordState can read them; the payload is the same envelope.";

    public static final String STATE_SERVER_MAX_WAIT_MS = "state.server.max.wait.ms";
    private static final String STATE_SERVER_MAX_WAIT_MS_DOC = "Longest time a read that asks for a"
            + " minimum position may wait for the state server to reach it, in milliseconds.";

    public static final String GATEWAY_MAX_BODY_BYTES = "gateway.max.body.bytes";
    private static final String GATEWAY_MAX_BODY_BYTES_DOC = "Largest request body the REST gateway"
            + " accepts (ingest, batch reads), in bytes.";

    public static final String ROLES = "roles";
    private static final String ROLES_DOC = "Roles this process plays: 'all', or a list of processor,"
            + " state-server, gateway, sink (the SQL's CREATE SINK mirrors), ingest (PostgreSQL CDC of postgres-cdc"
            + " tables). A gateway without the state-server role reads the state servers listed in gateway.replicas.";

    public static final String DEMO_ORDERS_PER_SECOND = "demo.orders.per.second";
    private static final String DEMO_ORDERS_PER_SECOND_DOC = "Rate of the demo's order producer"
            + " (run --demo only).";

    /**
     * Client settings Statefront manages itself; overriding them would break exactly-once or
     * the record formats, so a {@code kafka.} pass-through of one of them is rejected.
     */
    static final Set<String> MANAGED_CLIENT_SETTINGS = Set.of(
            "bootstrap.servers", "group.id", "group.instance.id", "transactional.id", "isolation.level",
            "enable.auto.commit", "enable.idempotence", "key.serializer", "value.serializer",
            "key.deserializer", "value.deserializer");

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(KAFKA_BOOTSTRAP_SERVERS, Type.STRING, "", Importance.HIGH, KAFKA_BOOTSTRAP_SERVERS_DOC)
            .define(APP_ID, Type.STRING, "statefront", new AppIdValidator(), Importance.HIGH, APP_ID_DOC)
            .define(DATA_DIR, Type.STRING, "./data", new ConfigDef.NonEmptyString(), Importance.HIGH, DATA_DIR_DOC)
            .define(STATE_DIR, Type.STRING, null, Importance.MEDIUM, STATE_DIR_DOC)
            .define(REST_HOST, Type.STRING, "0.0.0.0", new ConfigDef.NonEmptyString(), Importance.MEDIUM, REST_HOST_DOC)
            .define(REST_PORT, Type.INT, 8080, ConfigDef.Range.between(0, 65535), Importance.HIGH, REST_PORT_DOC)
            .define(GRPC_PORT, Type.INT, 9090, ConfigDef.Range.between(0, 65535), Importance.HIGH, GRPC_PORT_DOC)
            .define(STATE_SERVER_GRPC_PORT, Type.INT, 9091, ConfigDef.Range.between(0, 65535), Importance.MEDIUM,
                    STATE_SERVER_GRPC_PORT_DOC)
            .define(GATEWAY_LOCAL_READS, Type.STRING, "grpc", ConfigDef.ValidString.in("grpc", "direct"),
                    Importance.LOW, GATEWAY_LOCAL_READS_DOC)
            .define(GATEWAY_REPLICAS, Type.LIST, "", new HostPortListValidator(), Importance.MEDIUM,
                    GATEWAY_REPLICAS_DOC)
            .define(EMBEDDED_KAFKA_PORT, Type.INT, 9092, ConfigDef.Range.between(0, 65535),
                    Importance.MEDIUM, EMBEDDED_KAFKA_PORT_DOC)
            .define(EMBEDDED_KAFKA_CONTROLLER_PORT, Type.INT, 0, ConfigDef.Range.between(0, 65535),
                    Importance.LOW, EMBEDDED_KAFKA_CONTROLLER_PORT_DOC)
            .define(TOPIC_PARTITIONS, Type.INT, 4, ConfigDef.Range.between(1, 10_000), Importance.MEDIUM,
                    TOPIC_PARTITIONS_DOC)
            .define(TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) 1, ConfigDef.Range.between(1, 32),
                    Importance.MEDIUM, TOPIC_REPLICATION_FACTOR_DOC)
            .define(PROCESSOR_PROGRESS_INTERVAL_MS, Type.LONG, 500L, ConfigDef.Range.between(10, 3_600_000),
                    Importance.MEDIUM, PROCESSOR_PROGRESS_INTERVAL_MS_DOC)
            .define(PROCESSOR_THREADS, Type.INT, 1, ConfigDef.Range.between(1, 64), Importance.MEDIUM,
                    PROCESSOR_THREADS_DOC)
            .define(PROCESSOR_TRANSACTION_MAX_MS, Type.LONG, ProcessorConfig.DEFAULT_TRANSACTION_MAX_MS,
                    ConfigDef.Range.between(10, ProcessorConfig.MAX_TRANSACTION_MAX_MS), Importance.LOW,
                    PROCESSOR_TRANSACTION_MAX_MS_DOC)
            .define(PROCESSOR_LOCAL_HANDOFF, Type.BOOLEAN, true, Importance.LOW, PROCESSOR_LOCAL_HANDOFF_DOC)
            .define(VIEW_CHANGES_SCHEMAS, Type.BOOLEAN, false, Importance.LOW, VIEW_CHANGES_SCHEMAS_DOC)
            .define(STATE_SERVER_MAX_WAIT_MS, Type.LONG, 5_000L, ConfigDef.Range.between(0, 600_000),
                    Importance.LOW, STATE_SERVER_MAX_WAIT_MS_DOC)
            .define(GATEWAY_MAX_BODY_BYTES, Type.INT, 10 * 1024 * 1024, ConfigDef.Range.between(1024, 256 * 1024 * 1024),
                    Importance.LOW, GATEWAY_MAX_BODY_BYTES_DOC)
            .define(ROLES, Type.LIST, Role.ALL, ConfigDef.ValidList.in(false, Role.ALL,
                            Role.PROCESSOR.configName(), Role.STATE_SERVER.configName(), Role.GATEWAY.configName(),
                            Role.SINK.configName(), Role.INGEST.configName()),
                    Importance.MEDIUM, ROLES_DOC)
            .define(DEMO_ORDERS_PER_SECOND, Type.INT, 20, ConfigDef.Range.between(1, 100_000), Importance.LOW,
                    DEMO_ORDERS_PER_SECOND_DOC);

    private final Map<String, Origin> origins;
    private final Map<String, Object> kafkaOverrides;

    private StatefrontConfig(Map<String, String> definedValues, Map<String, Object> kafkaOverrides,
                             Map<String, Origin> origins) {
        super(CONFIG, definedValues, false);
        this.kafkaOverrides = Collections.unmodifiableMap(new TreeMap<>(kafkaOverrides));
        this.origins = Collections.unmodifiableMap(new TreeMap<>(origins));
    }

    /** The definition of every setting: types, defaults, validators, docs. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    /**
     * Loads, merges and validates the settings from every source.
     *
     * @param configFile a properties file, or {@code null} for none
     * @param env the environment, usually {@code System.getenv()}; never {@code null}
     * @param sets {@code key=value} strings from {@code --set}, in order; never {@code null}
     * @throws StatefrontConfigException if a key is unknown, a value is bad, settings conflict,
     *         or the file cannot be read
     */
    public static StatefrontConfig load(Path configFile, Map<String, String> env, List<String> sets) {
        Map<String, Origin> merged = new LinkedHashMap<>();
        if (configFile != null) {
            readFile(configFile, merged);
        }
        readEnv(env, merged);
        readSets(sets, merged);
        return build(merged);
    }

    /**
     * Validates settings given directly as a map, as if from {@code --set}; for tests and embedding.
     *
     * @throws StatefrontConfigException as {@link #load}
     */
    public static StatefrontConfig of(Map<String, String> settings) {
        Map<String, Origin> merged = new LinkedHashMap<>();
        settings.forEach((k, v) -> put(merged, k, v, ConfigSource.SET, "--set " + k));
        return build(merged);
    }

    private static void readFile(Path file, Map<String, Origin> merged) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            props.load(reader);
        } catch (NoSuchFileException e) {
            throw new StatefrontConfigException(null, "config file " + file.toAbsolutePath() + " does not exist");
        } catch (IOException | IllegalArgumentException e) {
            throw new StatefrontConfigException(null, "cannot read config file " + file.toAbsolutePath()
                    + ": " + e.getMessage());
        }
        for (String key : new TreeSet<>(props.stringPropertyNames())) {
            put(merged, key, props.getProperty(key).trim(), ConfigSource.FILE, "config file " + file);
        }
    }

    private static void readEnv(Map<String, String> env, Map<String, Origin> merged) {
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(ENV_PREFIX) || RESERVED_ENV.contains(name)) {
                continue;
            }
            String key = envToKey(name);
            String where = "environment variable " + name;
            if (!isKnownKey(key)) {
                throw new StatefrontConfigException(key, where + " maps to no setting (it would be '" + key
                        + "')" + suggestion(key) + "; unset it or fix its name. Settings: "
                        + String.join(", ", CONFIG.names()) + ", or kafka.<client setting>");
            }
            put(merged, key, e.getValue(), ConfigSource.ENV, where);
        }
    }

    private static void readSets(List<String> sets, Map<String, Origin> merged) {
        for (String set : sets) {
            int eq = set.indexOf('=');
            if (eq <= 0) {
                throw new StatefrontConfigException(null, "--set expects key=value, got '" + set + "'");
            }
            String key = set.substring(0, eq).trim();
            put(merged, key, set.substring(eq + 1).trim(), ConfigSource.SET, "--set " + key);
        }
    }

    private static void put(Map<String, Origin> merged, String key, String value, ConfigSource source,
                            String where) {
        merged.remove(key); // keep insertion order = precedence order, for readable errors
        merged.put(key, new Origin(value, source, where));
    }

    /** The setting an environment variable name maps to, e.g. STATEFRONT_REST_PORT → rest.port. */
    public static String envToKey(String envName) {
        return envName.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** The environment variable name of a setting, e.g. rest.port → STATEFRONT_REST_PORT. */
    public static String keyToEnv(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static boolean isKnownKey(String key) {
        return CONFIG.configKeys().containsKey(key) || clientKey(key) != null;
    }

    /** The client definition of a {@code kafka.} pass-through key, or {@code null}. */
    private static ConfigDef.ConfigKey clientKey(String key) {
        if (!key.startsWith(KAFKA_PREFIX)) {
            return null;
        }
        String name = key.substring(KAFKA_PREFIX.length());
        for (ConfigDef def : List.of(ProducerConfig.configDef(), ConsumerConfig.configDef(),
                AdminClientConfig.configDef())) {
            ConfigDef.ConfigKey k = def.configKeys().get(name);
            if (k != null) {
                return k;
            }
        }
        return null;
    }

    private static StatefrontConfig build(Map<String, Origin> merged) {
        Map<String, String> defined = new LinkedHashMap<>();
        Map<String, Object> overrides = new LinkedHashMap<>();
        for (Map.Entry<String, Origin> e : merged.entrySet()) {
            String key = e.getKey();
            Origin origin = e.getValue();
            ConfigDef.ConfigKey def = CONFIG.configKeys().get(key);
            if (def != null) {
                validate(def, key, origin);
                defined.put(key, origin.value());
                continue;
            }
            ConfigDef.ConfigKey client = clientKey(key);
            if (client == null) {
                throw new StatefrontConfigException(key, "unknown setting '" + key + "' (from " + origin.where()
                        + ")" + suggestion(key) + ". Settings: " + String.join(", ", CONFIG.names())
                        + ", or kafka.<producer/consumer/admin client setting>");
            }
            if (MANAGED_CLIENT_SETTINGS.contains(client.name)) {
                throw new StatefrontConfigException(key, "'" + key + "' (from " + origin.where() + ") is managed by"
                        + " Statefront and cannot be overridden"
                        + (client.name.equals("bootstrap.servers") ? "; use " + KAFKA_BOOTSTRAP_SERVERS : ""));
            }
            overrides.put(client.name, validate(client, key, origin));
        }
        Map<String, Origin> origins = new LinkedHashMap<>();
        for (String name : CONFIG.names()) {
            origins.put(name, merged.getOrDefault(name, new Origin(null, ConfigSource.DEFAULT, "default")));
        }
        merged.forEach(origins::putIfAbsent);
        StatefrontConfig config = new StatefrontConfig(defined, overrides, origins);
        config.checkConsistency();
        return config;
    }

    private static Object validate(ConfigDef.ConfigKey def, String key, Origin origin) {
        try {
            Object parsed = ConfigDef.parseType(def.name, origin.value(), def.type);
            if (def.validator != null) {
                def.validator.ensureValid(def.name, parsed);
            }
            return parsed;
        } catch (ConfigException e) {
            String shown = def.type == Type.PASSWORD ? "[hidden]" : "'" + origin.value() + "'";
            throw new StatefrontConfigException(key, "invalid value " + shown + " for " + key + " (from "
                    + origin.where() + "): " + e.getMessage());
        }
    }

    private void checkConsistency() {
        List<String> roleNames = getList(ROLES);
        if (roleNames.contains(Role.ALL) && roleNames.size() > 1) {
            throw conflict(ROLES, "'all' cannot be combined with other roles, got " + roleNames);
        }
        Set<Role> roles = roles();
        if (roles.contains(Role.GATEWAY) && !roles.contains(Role.STATE_SERVER) && gatewayReplicas().isEmpty()) {
            throw conflict(ROLES, "the gateway role without the state-server role reads from state servers in other"
                    + " processes, but " + GATEWAY_REPLICAS + " (from " + origin(GATEWAY_REPLICAS) + ") is empty; got "
                    + ROLES + "=" + roleNames + "; add state-server or set " + GATEWAY_REPLICAS + "=host:port,...");
        }
        if (servesReplicaService() && stateServerGrpcPort() != 0) {
            for (String other : List.of(REST_PORT, GRPC_PORT)) {
                if (roles.contains(Role.GATEWAY) && getInt(other) == stateServerGrpcPort()) {
                    throw conflict(STATE_SERVER_GRPC_PORT, STATE_SERVER_GRPC_PORT + " (from "
                            + origin(STATE_SERVER_GRPC_PORT) + ") and " + other + " (from " + origin(other)
                            + ") cannot both be " + stateServerGrpcPort());
                }
            }
        }
        if (roles.contains(Role.GATEWAY) && restPort() != 0 && restPort() == grpcPort()) {
            throw conflict(REST_PORT, REST_PORT + " (from " + origin(REST_PORT) + ") and " + GRPC_PORT + " (from "
                    + origin(GRPC_PORT) + ") cannot both be " + restPort());
        }
        if (embeddedKafka()) {
            int broker = embeddedKafkaPort();
            if (broker != 0 && broker == embeddedKafkaControllerPort()) {
                throw conflict(EMBEDDED_KAFKA_PORT, EMBEDDED_KAFKA_PORT + " and " + EMBEDDED_KAFKA_CONTROLLER_PORT
                        + " cannot both be " + broker);
            }
            if (roles.contains(Role.GATEWAY) && broker != 0 && (broker == restPort() || broker == grpcPort())) {
                throw conflict(EMBEDDED_KAFKA_PORT, EMBEDDED_KAFKA_PORT + " " + broker + " (from "
                        + origin(EMBEDDED_KAFKA_PORT) + ") is also the port of " + (broker == restPort() ? REST_PORT
                        : GRPC_PORT));
            }
            if (topicReplicationFactor() > 1) {
                throw conflict(TOPIC_REPLICATION_FACTOR, TOPIC_REPLICATION_FACTOR + "=" + topicReplicationFactor()
                        + " (from " + origin(TOPIC_REPLICATION_FACTOR) + ") needs a real cluster, but "
                        + KAFKA_BOOTSTRAP_SERVERS + " is empty and the embedded broker has one node");
            }
        }
    }

    private String origin(String key) {
        return origins.get(key).where();
    }

    private static StatefrontConfigException conflict(String key, String message) {
        return new StatefrontConfigException(key, "conflicting settings: " + message);
    }

    private static String suggestion(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String name : CONFIG.names()) {
            int d = editDistance(key, name);
            if (d < bestDistance) {
                bestDistance = d;
                best = name;
            }
        }
        return best != null && bestDistance <= 3 ? "; did you mean '" + best + "'?" : "";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    // ---- typed accessors ---------------------------------------------------------------------

    /** The configured Kafka cluster, or empty to start the embedded broker. */
    public String bootstrapServers() {
        return getString(KAFKA_BOOTSTRAP_SERVERS).trim();
    }

    /** Whether {@code run} starts the embedded broker (no bootstrap servers configured). */
    public boolean embeddedKafka() {
        return bootstrapServers().isEmpty();
    }

    public String appId() {
        return getString(APP_ID);
    }

    /** The data directory, absolute (relative settings resolve against the working directory). */
    public Path dataDir() {
        return Path.of(getString(DATA_DIR)).toAbsolutePath().normalize();
    }

    /** The state directory, absolute; {@code ${data.dir}/state} unless set. */
    public Path stateDir() {
        String state = getString(STATE_DIR);
        return state == null || state.isBlank()
                ? dataDir().resolve("state")
                : Path.of(state).toAbsolutePath().normalize();
    }

    /** Where the embedded broker keeps its logs and metadata. */
    public Path embeddedKafkaDir() {
        return dataDir().resolve("kafka");
    }

    public String restHost() {
        return getString(REST_HOST);
    }

    public int restPort() {
        return getInt(REST_PORT);
    }

    public int grpcPort() {
        return getInt(GRPC_PORT);
    }

    public int stateServerGrpcPort() {
        return getInt(STATE_SERVER_GRPC_PORT);
    }

    /** Whether this process serves the state server's ReplicaService over TCP (see {@link #STATE_SERVER_GRPC_PORT}). */
    public boolean servesReplicaService() {
        Set<Role> roles = roles();
        return roles.contains(Role.STATE_SERVER)
                && (!roles.contains(Role.GATEWAY) || sourceOf(STATE_SERVER_GRPC_PORT) != ConfigSource.DEFAULT);
    }

    /** The {@code host:port} of state servers in other processes the gateway reads from; may be empty. */
    public List<String> gatewayReplicas() {
        return getList(GATEWAY_REPLICAS).stream().map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    public int embeddedKafkaPort() {
        return getInt(EMBEDDED_KAFKA_PORT);
    }

    public int embeddedKafkaControllerPort() {
        return getInt(EMBEDDED_KAFKA_CONTROLLER_PORT);
    }

    public int topicPartitions() {
        return getInt(TOPIC_PARTITIONS);
    }

    public short topicReplicationFactor() {
        return getShort(TOPIC_REPLICATION_FACTOR);
    }

    public long processorProgressIntervalMs() {
        return getLong(PROCESSOR_PROGRESS_INTERVAL_MS);
    }

    /** True if the gateway calls the state server of its process directly instead of over in-process gRPC. */
    public boolean gatewayDirectLocalReads() {
        return "direct".equals(getString(GATEWAY_LOCAL_READS));
    }

    /** True if a processor hands its committed changes to the state server of its process. */
    public boolean processorLocalHandoff() {
        return getBoolean(PROCESSOR_LOCAL_HANDOFF);
    }

    public int processorThreads() {
        return getInt(PROCESSOR_THREADS);
    }

    public long processorTransactionMaxMs() {
        return getLong(PROCESSOR_TRANSACTION_MAX_MS);
    }

    public boolean viewChangesSchemas() {
        return getBoolean(VIEW_CHANGES_SCHEMAS);
    }

    public long stateServerMaxWaitMs() {
        return getLong(STATE_SERVER_MAX_WAIT_MS);
    }

    public int gatewayMaxBodyBytes() {
        return getInt(GATEWAY_MAX_BODY_BYTES);
    }

    public int demoOrdersPerSecond() {
        return getInt(DEMO_ORDERS_PER_SECOND);
    }

    /** The roles to run, {@code all} expanded. */
    public Set<Role> roles() {
        List<String> names = getList(ROLES);
        if (names.contains(Role.ALL)) {
            return Collections.unmodifiableSet(EnumSet.allOf(Role.class));
        }
        EnumSet<Role> roles = EnumSet.noneOf(Role.class);
        names.forEach(n -> roles.add(Role.fromConfigName(n).orElseThrow()));
        return Collections.unmodifiableSet(roles);
    }

    /** Every {@code kafka.*} pass-through, prefix removed, typed; for clients that are all three kinds. */
    public Map<String, Object> kafkaOverrides() {
        return kafkaOverrides;
    }

    /** The pass-throughs a producer understands. */
    public Map<String, Object> producerOverrides() {
        return filtered(ProducerConfig.configNames());
    }

    /** The pass-throughs a consumer understands. */
    public Map<String, Object> consumerOverrides() {
        return filtered(ConsumerConfig.configNames());
    }

    /** The pass-throughs an admin client understands. */
    public Map<String, Object> adminOverrides() {
        return filtered(AdminClientConfig.configNames());
    }

    private Map<String, Object> filtered(Set<String> names) {
        return kafkaOverrides.entrySet().stream()
                .filter(e -> names.contains(e.getKey()))
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** Where the value of a key came from; {@link ConfigSource#DEFAULT} for keys never given. */
    public ConfigSource sourceOf(String key) {
        Origin o = origins.get(key);
        return o == null ? ConfigSource.DEFAULT : o.source();
    }

    /** One line per setting with its effective value and source; password values hidden. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, Origin> e : origins.entrySet()) {
            String key = e.getKey();
            Object value;
            if (CONFIG.configKeys().containsKey(key)) {
                value = key.equals(STATE_DIR) ? stateDir() : values().get(key);
                if (key.equals(DATA_DIR)) {
                    value = dataDir();
                }
            } else {
                ConfigDef.ConfigKey client = clientKey(key);
                value = client != null && client.type == Type.PASSWORD ? "[hidden]" : e.getValue().value();
            }
            lines.add(key + " = " + value + " (" + e.getValue().where() + ")");
        }
        return lines;
    }

    /** A raw value and where it came from. */
    private record Origin(String value, ConfigSource source, String where) {
    }

    private static final class HostPortListValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            @SuppressWarnings("unchecked")
            List<String> entries = (List<String>) value;
            for (String e : entries) {
                String t = e.trim();
                int colon = t.lastIndexOf(':');
                boolean ok = colon > 0 && colon < t.length() - 1;
                if (ok) {
                    try {
                        int port = Integer.parseInt(t.substring(colon + 1));
                        ok = port > 0 && port <= 65535;
                    } catch (NumberFormatException x) {
                        ok = false;
                    }
                }
                if (!ok && !t.isEmpty()) {
                    throw new ConfigException(name, value, "'" + t + "' is not host:port (e.g. state-1:9091)");
                }
            }
        }

        @Override
        public String toString() {
            return "host:port,...";
        }
    }

    private static final class AppIdValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String s = (String) value;
            if (s == null || !s.matches("[A-Za-z0-9._-]{1,100}")) {
                throw new ConfigException(name, value,
                        "must be 1 to 100 letters, digits, '.', '_' or '-' (it is part of topic names)");
            }
        }

        @Override
        public String toString() {
            return "[A-Za-z0-9._-]{1,100}";
        }
    }
}
