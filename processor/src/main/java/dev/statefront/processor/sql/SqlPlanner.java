package dev.statefront.processor.sql;

import dev.statefront.processor.plan.CompiledViewPlan;
import dev.statefront.processor.plan.Program;
import dev.statefront.processor.plan.SinkDefinition;
import dev.statefront.processor.plan.SourceDefinition;
import dev.statefront.processor.plan.ViewPlan;
import dev.statefront.processor.sql.DdlParser.Parsed;
import dev.statefront.processor.sql.DdlParser.SourceStatement;
import dev.statefront.processor.sql.DdlParser.ViewStatement;
import dev.statefront.processor.sql.Script.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Plans a SQL script of {@code CREATE SOURCE}, {@code CREATE TABLE}, {@code CREATE MATERIALIZED VIEW} and
 * {@code CREATE SINK}
 * statements, separated by semicolons, into a {@link Program}. View queries are parsed, validated and
 * converted by Apache Calcite, then compiled into {@link CompiledViewPlan}s. Identifiers are case-insensitive
 * and keep their declared case.
 */
public final class SqlPlanner {
    private SqlPlanner() {
    }

    /**
     * Plans a script.
     *
     * @param script the SQL text; not null (an empty script plans to an empty program)
     * @return the sources and views, in statement order
     * @throws SqlException naming the first failing statement, its position in the script and what is wrong
     */
    public static Program plan(String script) throws SqlException {
        Objects.requireNonNull(script, "script");
        Script text = new Script(script);
        Map<String, SourceDefinition> sources = new LinkedHashMap<>();
        Map<String, ViewPlan> views = new LinkedHashMap<>();
        List<String> viewNames = new ArrayList<>();
        Map<String, SinkDefinition> sinks = new LinkedHashMap<>();
        for (Statement statement : text.statements()) {
            DdlParser parser = new DdlParser(text, statement);
            try {
                Parsed parsed = parser.parse();
                if (parsed instanceof SourceStatement s) {
                    checkNewName(text, s.name(), sources, views);
                    sources.put(s.name().text().toLowerCase(Locale.ROOT), s.definition());
                } else if (parsed instanceof ViewStatement v) {
                    checkNewName(text, v.name(), sources, views);
                    String sql = script.substring(statement.start(), statement.end()).strip();
                    CompiledViewPlan plan = new ViewCompiler(text, v, sources, viewNames).compile(sql);
                    views.put(v.name().text().toLowerCase(Locale.ROOT), plan);
                    viewNames.add(v.name().text());
                } else if (parsed instanceof DdlParser.SinkStatement k) {
                    checkNewName(text, k.name(), sources, views);
                    String key = k.name().text().toLowerCase(Locale.ROOT);
                    if (sinks.containsKey(key)) {
                        throw PlanningFailure.at(text, k.name().start(), "name '" + k.name().text()
                                + "' is already taken by sink '" + sinks.get(key).name() + "'");
                    }
                    ViewPlan target = views.get(k.view().text().toLowerCase(Locale.ROOT));
                    if (target == null) {
                        throw PlanningFailure.at(text, k.view().start(), "sink " + k.name().text() + " reads view '"
                                + k.view().text() + "', which is not defined before it; views are: " + viewNames);
                    }
                    sinks.put(key, new SinkDefinition(k.definition().name(), target.name(), k.definition().options(),
                            k.definition().sql()));
                }
            } catch (PlanningFailure f) {
                int line = f.line > 0 ? f.line : text.line(statement.start());
                int column = f.line > 0 ? f.column : text.column(statement.start());
                throw new SqlException(statement.number(), parser.label(), line, column, f.getMessage(),
                        f.getCause());
            } catch (RuntimeException e) {
                throw new SqlException(statement.number(), parser.label(), text.line(statement.start()),
                        text.column(statement.start()), "internal error planning this statement: " + e, e);
            }
        }
        return new Program(new ArrayList<>(sources.values()), new ArrayList<>(views.values()),
                new ArrayList<>(sinks.values()));
    }

    private static void checkNewName(Script text, Script.Token name, Map<String, SourceDefinition> sources,
                                     Map<String, ViewPlan> views) {
        String key = name.text().toLowerCase(Locale.ROOT);
        SourceDefinition source = sources.get(key);
        if (source != null) {
            throw PlanningFailure.at(text, name.start(), "name '" + name.text() + "' is already taken by "
                    + (source.table() ? "table '" : "source '") + source.name() + "'");
        }
        ViewPlan view = views.get(key);
        if (view != null) {
            throw PlanningFailure.at(text, name.start(), "name '" + name.text() + "' is already taken by view '"
                    + view.name() + "'");
        }
    }
}
