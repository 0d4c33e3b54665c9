package dev.statefront.app;

import dev.statefront.processor.plan.Program;
import dev.statefront.processor.plan.SinkDefinition;
import dev.statefront.state.sink.PostgresSink;
import dev.statefront.state.sink.PostgresSinkConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sinks a SQL program declares, as runnable {@link PostgresSink}s. The app is where the planner's
 * {@code CREATE SINK} definitions meet the sink runner, which lives downstream of the change topics (state-server)
 * and never imports the processor.
 */
final class PostgresSinks {
    private PostgresSinks() {
    }

    /**
     * A sink per {@code CREATE SINK} of the program.
     *
     * @throws IllegalArgumentException naming the sink if its options do not work (connector, url, table, batch.size)
     */
    static List<PostgresSink> of(Program program, String bootstrapServers, String appId,
                                 Map<String, Object> consumerOverrides) {
        List<PostgresSink> sinks = new ArrayList<>();
        for (SinkDefinition d : program.sinks()) {
            sinks.add(new PostgresSink(config(d, bootstrapServers, appId, consumerOverrides)));
        }
        return sinks;
    }

    static PostgresSinkConfig config(SinkDefinition d, String bootstrapServers, String appId,
                                     Map<String, Object> consumerOverrides) {
        Map<String, String> o = d.options();
        String connector = o.getOrDefault("connector", "postgres");
        if (!connector.equalsIgnoreCase("postgres")) {
            throw new IllegalArgumentException("sink '" + d.name() + "': connector '" + connector
                    + "' is not supported; use connector = 'postgres'");
        }
        int batch = PostgresSinkConfig.DEFAULT_BATCH_SIZE;
        String b = o.get("batch.size");
        if (b != null) {
            try {
                batch = Integer.parseInt(b.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("sink '" + d.name() + "': batch.size must be a whole number, got '"
                        + b + "'");
            }
        }
        return new PostgresSinkConfig(d.name(), d.view(), o.get("url"), o.get("table"), o.get("user"),
                o.get("password"), batch, bootstrapServers, appId, consumerOverrides);
    }
}
