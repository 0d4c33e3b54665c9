package dev.statefront.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.statefront.app.config.Role;
import dev.statefront.app.config.StatefrontConfig;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code statefront run}: starts the configured roles (and the embedded broker) until Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Start Statefront: the embedded Kafka broker unless kafka.bootstrap.servers is set,"
                + " then the roles (processor, state server, REST gateway) in one process, until Ctrl-C.",
                "Needs --demo or --sql FILE when running the processor role."},
        footer = {"", "Examples:",
                "  statefront run --demo",
                "  statefront run --sql views.sql --set rest.port=8081",
                "  STATEFRONT_KAFKA_BOOTSTRAP_SERVERS=kafka:9092 statefront run --sql views.sql",
                "", "See 'statefront settings' for every setting."})
final class RunCommand implements Callable<Integer> {

    /** Classpath resource with the demo's views. */
    static final String DEMO_SQL_RESOURCE = "/demo/views.sql";

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Views views;

    static final class Views {
        @Option(names = "--demo", required = true,
                description = "Run the built-in demo: 'orders' and 'customers' topics, a trickle of orders,"
                        + " and views customer_stats and region_status.")
        boolean demo;

        @Option(names = "--sql", required = true, paramLabel = "FILE",
                description = "SQL file with CREATE SOURCE and CREATE MATERIALIZED VIEW statements.")
        Path sql;
    }

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with settings.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A setting; repeatable; overrides the config file and STATEFRONT_* variables.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--stop-after", paramLabel = "SECONDS",
            description = "Stop by itself after this many seconds, as Ctrl-C would (smoke runs; the build uses it to"
                    + " record the class-data archive of a demo run).")
    Long stopAfterSeconds;

    /** The environment settings come from; set by {@link StatefrontMain#commandLine}. */
    Map<String, String> env = Map.of();

    @Override
    public Integer call() throws InterruptedException {
        if (stopAfterSeconds != null && stopAfterSeconds < 1) {
            throw new ParameterException(spec.commandLine(),
                    "--stop-after must be at least 1 second, got " + stopAfterSeconds);
        }
        boolean demo = views != null && views.demo;
        Path sqlFile = views == null ? null : views.sql;
        StatefrontConfig config = StatefrontConfig.load(configFile, env, sets);
        String sql = null;
        if (config.roles().contains(Role.SINK) || config.roles().contains(Role.PROCESSOR)
                || config.roles().contains(Role.INGEST)) {
            if (!demo && sqlFile == null) {
                throw new ParameterException(spec.commandLine(),
                        "statefront run needs --demo or --sql FILE (the processor role runs SQL views, the ingest "
                                + "role captures the SQL's postgres-cdc tables)");
            }
            sql = demo ? demoSql() : readSql(sqlFile);
        }
        config.describe().forEach(line -> log.debug("setting {}", line));

        StatefrontServer server = new StatefrontServer(config, sql, demo, Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "statefront-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            server.start();
        } catch (RuntimeException e) {
            removeHook(hook);
            throw e;
        }
        printBanner(spec.commandLine().getOut(), server, config, demo);
        if (stopAfterSeconds == null) {
            stopped.await();
        } else if (!stopped.await(stopAfterSeconds, TimeUnit.SECONDS)) {
            log.info("stopping: --stop-after {} s elapsed", stopAfterSeconds);
        }
        // returning ends the process (System.exit in StatefrontMain), which runs the hook that closes the server
        return 0;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs anyway and close() is idempotent
        }
    }

    static String demoSql() {
        try (InputStream in = RunCommand.class.getResourceAsStream(DEMO_SQL_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("demo SQL resource " + DEMO_SQL_RESOURCE + " missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read demo SQL resource " + DEMO_SQL_RESOURCE, e);
        }
    }

    private static String readSql(Path file) {
        Path absolute = file.toAbsolutePath();
        try {
            String sql = Files.readString(absolute);
            if (sql.isBlank()) {
                throw new SqlFileException("--sql file " + absolute + " is empty");
            }
            return sql;
        } catch (NoSuchFileException e) {
            throw new SqlFileException("--sql file " + absolute + " does not exist");
        } catch (IOException e) {
            throw new SqlFileException("cannot read --sql file " + absolute + ": " + e);
        }
    }

    private static void printBanner(PrintWriter out, StatefrontServer server, StatefrontConfig config, boolean demo) {
        String roles = config.roles().stream().map(Role::configName).collect(Collectors.joining(", "));
        out.printf("%nStatefront %s is running (roles: %s)%n", StatefrontMain.version(), roles);
        out.printf("  Kafka: %s%s%n", server.bootstrapServers(), server.embedded()
                ? " (embedded, data in " + config.embeddedKafkaDir() + ")" : "");
        out.printf("  State: %s%n", config.stateDir());
        server.restPort().ifPresent(port -> {
            String host = config.restHost();
            if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
                host = "localhost";
            }
            String base = "http://" + host + ":" + port;
            out.printf("  REST:  %s/v1/views%n", base);
            server.grpcPort().ifPresent(g -> out.printf("  gRPC:  %s:%d  (statefront views --target %s:%d)%n",
                    hostOf(config), g, hostOf(config), g));
            if (demo) {
                out.printf("%nTry:%n");
                out.printf("  curl -s %s/v1/views%n", base);
                out.printf("  curl -s %s/v1/views/customer_stats/rows/c-17%n", base);
                out.printf("  curl -s '%s/v1/views/customer_stats/rows?from=c-1&limit=5'%n", base);
                out.printf("  curl -s '%s/v1/views/region_status/rows?prefix=eu-west'%n", base);
                out.printf("  curl -s -X POST %s/v1/sources/orders/events -H 'Content-Type: application/json' \\%n"
                        + "       -d '{\"order_id\":\"o-manual-1\",\"customer_id\":\"c-17\",\"region\":\"eu-west\","
                        + "\"amount_cents\":4200,\"status\":\"placed\",\"ts\":%d}'%n", base, System.currentTimeMillis());
            }
        });
        out.printf("%nPress Ctrl-C to stop.%n");
        out.flush();
    }

    private static String hostOf(StatefrontConfig config) {
        String host = config.restHost();
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") ? "localhost" : host;
    }

    /** The {@code --sql} file is missing, empty or unreadable. */
    static final class SqlFileException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SqlFileException(String message) {
            super(message);
        }
    }
}
