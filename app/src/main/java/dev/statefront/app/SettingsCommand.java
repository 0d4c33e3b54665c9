package dev.statefront.app;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.apache.kafka.common.config.ConfigDef;

import dev.statefront.app.config.StatefrontConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code statefront settings}: every setting with its default, environment variable and meaning. */
@Command(name = "settings", mixinStandardHelpOptions = true,
        description = "Print every setting: key, type, default, environment variable and description.")
final class SettingsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("Settings, lowest precedence first: --config FILE (properties), STATEFRONT_* environment"
                + " variables, --set key=value.");
        out.println("Keys kafka.<client setting> (e.g. kafka.security.protocol) pass through to Kafka clients.");
        out.println();
        for (ConfigDef.ConfigKey key : StatefrontConfig.configDef().configKeys().values()) {
            Object def = key.defaultValue == null ? "(unset)" : ConfigDef.convertToString(key.defaultValue, key.type);
            if ("".equals(def)) {
                def = "(empty)";
            }
            out.printf("%s  [%s, default %s, env %s]%n", key.name, key.type.toString().toLowerCase(), def,
                    StatefrontConfig.keyToEnv(key.name));
            if (key.validator != null) {
                out.printf("    valid: %s%n", key.validator);
            }
            out.printf("    %s%n%n", key.documentation);
        }
        out.flush();
        return 0;
    }
}
