package dev.statefront.processor.plan;

import java.util.Map;

/**
 * A declared sink: {@code CREATE SINK name FROM view WITH (connector = 'postgres', url = '...', table = '...')}.
 * The processor only validates it; the sink runner reads the view's change topic.
 *
 * @param name the SQL name
 * @param view the view it mirrors (as declared in its CREATE MATERIALIZED VIEW)
 * @param options every WITH option, keys lower-cased: connector, url, table, user, password, batch.size
 * @param sql the statement text
 */
public record SinkDefinition(String name, String view, Map<String, String> options, String sql) {
    public SinkDefinition {
        options = Map.copyOf(options);
    }
}
