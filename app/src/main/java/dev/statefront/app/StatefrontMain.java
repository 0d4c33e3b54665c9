package dev.statefront.app;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

import dev.statefront.app.config.StatefrontConfigException;
import dev.statefront.app.demo.DemoException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code statefront} command.
 *
 * <pre>
 * statefront run --demo
 * statefront run --sql views.sql --set kafka.bootstrap.servers=broker:9092
 * statefront settings
 * </pre>
 *
 * <p>Exit codes: 0 after a clean stop, 1 when start-up fails (the message says what to change),
 * 2 on a usage error.
 */
@Command(name = "statefront",
        mixinStandardHelpOptions = true,
        versionProvider = StatefrontMain.Version.class,
        description = "Kafka streams turned into queryable, subscribable state: SQL materialized views,"
                + " served over REST.",
        subcommands = {RunCommand.class, SettingsCommand.class,
                dev.statefront.app.cli.ViewsCommand.class, dev.statefront.app.cli.DescribeCommand.class,
                dev.statefront.app.cli.GetCommand.class, dev.statefront.app.cli.ScanCommand.class,
                CommandLine.HelpCommand.class})
public final class StatefrontMain implements Callable<Integer> {

    /** Exit code of a start-up failure. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of a usage error. */
    public static final int EXIT_USAGE = 2;

    @Spec
    CommandSpec spec;

    /** Without a subcommand: print usage, fail as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return EXIT_USAGE;
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv()).execute(args));
    }

    /**
     * The command line, reading settings from the given environment rather than the process's.
     *
     * @param env environment variables; {@code STATEFRONT_*} ones are settings; never {@code null}
     */
    public static CommandLine commandLine(Map<String, String> env) {
        CommandLine cl = new CommandLine(new StatefrontMain());
        RunCommand run = cl.getSubcommands().get("run").getCommand();
        run.env = Map.copyOf(env);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof StatefrontConfigException || e instanceof StatefrontServer.StartupException
                    || e instanceof DemoException || e instanceof RunCommand.SqlFileException
                    || e instanceof dev.statefront.app.cli.ClientException) {
                cmd.getErr().println("statefront: " + e.getMessage());
                return EXIT_FAILURE;
            }
            cmd.getErr().println("statefront: unexpected error: " + e);
            e.printStackTrace(cmd.getErr());
            return EXIT_FAILURE;
        });
        return cl;
    }

    /** The version of this build, from a resource filtered by Maven. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"statefront " + version(), "Java " + System.getProperty("java.version")};
        }
    }

    /** This build's version, or {@code unknown} when run from an unfiltered classpath. */
    static String version() {
        Properties p = new Properties();
        try (InputStream in = StatefrontMain.class.getResourceAsStream("/statefront-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        String v = p.getProperty("version", "unknown");
        return v.startsWith("${") ? "unknown" : v;
    }
}
