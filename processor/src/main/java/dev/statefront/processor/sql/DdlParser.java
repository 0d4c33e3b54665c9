package dev.statefront.processor.sql;

import dev.statefront.core.Column;
import dev.statefront.core.ColumnType;
import dev.statefront.processor.plan.SinkDefinition;
import dev.statefront.processor.plan.SourceDefinition;
import dev.statefront.processor.sql.Script.Kind;
import dev.statefront.processor.sql.Script.Statement;
import dev.statefront.processor.sql.Script.Token;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Recursive-descent parser of the DDL envelope: {@code CREATE SOURCE|TABLE name (columns) WITH (options)} and
 * {@code CREATE MATERIALIZED VIEW name AS <query>}. The query itself is left to Calcite.
 */
final class DdlParser {
    static final String SUPPORTED_STATEMENTS =
            "supported statements are CREATE SOURCE, CREATE TABLE, CREATE MATERIALIZED VIEW and CREATE SINK";
    static final List<String> KNOWN_OPTIONS = List.of("topic", "format", "timestamp", "key", "connector", "url",
            "table", "user", "password");
    static final List<String> SUPPORTED_FORMATS = List.of("json", "debezium-json");
    static final List<String> SOURCE_CONNECTORS = List.of("postgres-cdc");
    /** Options that only a {@code connector} reads. */
    static final List<String> CONNECTOR_OPTIONS = List.of("url", "table", "user", "password");
    static final List<String> SINK_OPTIONS = List.of("connector", "url", "table", "user", "password", "batch.size");
    static final List<String> SINK_CONNECTORS = List.of("postgres");

    /** The head of a statement: what it defines, known as soon as the name is read. */
    sealed interface Parsed permits SourceStatement, ViewStatement, SinkStatement {
    }

    /** A parsed CREATE SINK. */
    record SinkStatement(Token name, Token view, SinkDefinition definition) implements Parsed {
    }

    /** A parsed CREATE SOURCE or CREATE TABLE. */
    record SourceStatement(Token name, SourceDefinition definition) implements Parsed {
    }

    /**
     * A parsed CREATE MATERIALIZED VIEW.
     *
     * @param queryStart offset of the query's first character
     * @param queryEnd offset after the query
     */
    record ViewStatement(Token name, int queryStart, int queryEnd) implements Parsed {
    }

    private final Script script;
    private final Statement statement;
    private final List<Token> tokens;
    private int pos;
    private String label;

    DdlParser(Script script, Statement statement) {
        this.script = script;
        this.statement = statement;
        this.tokens = statement.tokens();
    }

    /** What the statement defines, e.g. {@code CREATE SOURCE orders}, once its name has been read; else null. */
    String label() {
        return label;
    }

    Parsed parse() {
        Token first = next("CREATE");
        if (!first.isWord("CREATE")) {
            throw fail(first, "unsupported statement starting with '" + first.text() + "'; " + SUPPORTED_STATEMENTS);
        }
        Token what = next("SOURCE, TABLE, MATERIALIZED VIEW or SINK");
        if (what.isWord("SINK")) {
            Token name = identifier("sink name");
            label = "CREATE SINK " + name.text();
            return sink(name);
        }
        if (what.isWord("SOURCE") || what.isWord("TABLE")) {
            boolean table = what.isWord("TABLE");
            Token name = identifier(table ? "table name" : "source name");
            label = "CREATE " + (table ? "TABLE " : "SOURCE ") + name.text();
            return new SourceStatement(name, source(name, table));
        }
        if (what.isWord("MATERIALIZED")) {
            Token view = next("VIEW");
            if (!view.isWord("VIEW")) {
                throw fail(view, "expected VIEW after MATERIALIZED but got '" + view.text() + "'");
            }
            Token name = identifier("view name");
            label = "CREATE MATERIALIZED VIEW " + name.text();
            Token as = next("AS");
            if (!as.isWord("AS")) {
                throw fail(as, "expected AS <query> after the view name but got '" + as.text() + "'");
            }
            if (pos >= tokens.size()) {
                throw fail(as, "expected a SELECT query after AS");
            }
            return new ViewStatement(name, tokens.get(pos).start(), statement.end());
        }
        if (what.isWord("VIEW")) {
            throw fail(what, "plain views are not supported; use CREATE MATERIALIZED VIEW");
        }
        throw fail(what, "unsupported statement 'CREATE " + what.text() + "'; " + SUPPORTED_STATEMENTS);
    }

    private SourceDefinition source(Token name, boolean table) {
        Token open = next("'(' and the column list");
        if (!open.isSymbol("(")) {
            throw fail(open, "expected '(' and the column list after " + name.text() + " but got '" + open.text() + "'");
        }
        List<Column> columns = new ArrayList<>();
        Map<String, Token> columnTokens = new LinkedHashMap<>();
        List<Token> primaryKey = new ArrayList<>();
        Token primaryKeyAt = null;
        while (true) {
            Token t = peek();
            if (t != null && t.isWord("PRIMARY")) {
                Token pk = keywordPair("PRIMARY", "KEY");
                if (primaryKeyAt != null) {
                    throw fail(pk, "PRIMARY KEY is declared twice");
                }
                primaryKeyAt = pk;
                expectSymbol("(", "after PRIMARY KEY");
                do {
                    primaryKey.add(identifier("key column name"));
                } while (acceptSymbol(","));
                expectSymbol(")", "to close the PRIMARY KEY column list");
            } else {
                Token col = identifier("column name");
                ColumnType type = type(col);
                String lower = col.text().toLowerCase(Locale.ROOT);
                if (columnTokens.putIfAbsent(lower, col) != null) {
                    throw fail(col, "column '" + col.text() + "' is declared twice");
                }
                columns.add(new Column(col.text(), type));
                while (true) {
                    Token c = peek();
                    if (c != null && c.isWord("NOT")) {
                        keywordPair("NOT", "NULL");
                    } else if (c != null && c.isWord("NULL")) {
                        pos++;
                    } else if (c != null && c.isWord("PRIMARY")) {
                        Token pk = keywordPair("PRIMARY", "KEY");
                        if (primaryKeyAt != null) {
                            throw fail(pk, "PRIMARY KEY is declared twice");
                        }
                        primaryKeyAt = pk;
                        primaryKey.add(col);
                    } else {
                        break;
                    }
                }
            }
            Token sep = next("',' or ')'");
            if (sep.isSymbol(")")) {
                break;
            }
            if (!sep.isSymbol(",")) {
                throw fail(sep, "expected ',' or ')' in the column list but got '" + sep.text() + "'");
            }
        }
        Map<String, Token[]> options = new LinkedHashMap<>();
        withOptions(KNOWN_OPTIONS, options, true);
        return definition(name, table, columns, primaryKey, primaryKeyAt, options);
    }

    private SourceDefinition definition(Token name, boolean table, List<Column> columns, List<Token> primaryKey,
                                        Token primaryKeyAt, Map<String, Token[]> options) {
        String columnList = String.join(", ", columns.stream().map(Column::name).toList());
        Map<String, String> values = new LinkedHashMap<>();
        options.forEach((k, v) -> values.put(k, v[1].text()));

        String connector = values.get("connector");
        if (connector != null) {
            Token at = options.get("connector")[1];
            if (!SOURCE_CONNECTORS.contains(connector.toLowerCase(Locale.ROOT))) {
                throw fail(at, "unsupported connector '" + connector + "'; supported connectors are: "
                        + String.join(", ", SOURCE_CONNECTORS));
            }
            if (!table) {
                throw fail(at, "connector '" + connector + "' feeds a table (inserts, updates and deletes); "
                        + "use CREATE TABLE " + name.text() + " (... PRIMARY KEY ...) instead of CREATE SOURCE");
            }
            for (String required : List.of("url", "table")) {
                if (!values.containsKey(required) || values.get(required).isBlank()) {
                    throw fail(at, "connector '" + connector + "' needs " + required + " = '...'"
                            + (required.equals("url") ? " (e.g. 'jdbc:postgresql://host:5432/db')"
                            : " (the PostgreSQL table, e.g. 'public." + name.text() + "')"));
                }
            }
            if (!values.get("url").startsWith("jdbc:postgresql://")) {
                throw fail(options.get("url")[1], "url '" + values.get("url") + "' is not a PostgreSQL JDBC url; "
                        + "expected jdbc:postgresql://host[:port]/database");
            }
            if (values.containsKey("format")
                    && !values.get("format").equalsIgnoreCase(SourceDefinition.DEBEZIUM_JSON)) {
                throw fail(options.get("format")[1], "connector '" + connector + "' writes format '"
                        + SourceDefinition.DEBEZIUM_JSON + "'; drop the format option or set it to that");
            }
        } else {
            for (String o : CONNECTOR_OPTIONS) {
                if (options.containsKey(o)) {
                    throw fail(options.get(o)[0], "option '" + o + "' belongs to a connector; add connector = '"
                            + SOURCE_CONNECTORS.get(0) + "' or drop it");
                }
            }
        }
        String format = values.getOrDefault("format", connector != null ? SourceDefinition.DEBEZIUM_JSON : "json")
                .toLowerCase(Locale.ROOT);
        if (!SUPPORTED_FORMATS.contains(format)) {
            throw fail(options.get("format")[1], "unsupported format '" + values.get("format")
                    + "'; supported formats are: " + String.join(", ", SUPPORTED_FORMATS));
        }
        if (connector != null) {
            values.put("connector", connector.toLowerCase(Locale.ROOT));
        }
        String topic = values.getOrDefault("topic", name.text());
        if (topic.isBlank()) {
            throw fail(options.get("topic")[1], "option 'topic' must not be empty");
        }

        String timestamp = null;
        if (values.containsKey("timestamp")) {
            Token at = options.get("timestamp")[1];
            Column c = find(columns, at.text());
            if (c == null) {
                throw fail(at, "timestamp column '" + at.text() + "' is not a column of " + name.text()
                        + "; columns are: " + columnList);
            }
            if (c.type().kind() != ColumnType.Kind.TIMESTAMP && c.type().kind() != ColumnType.Kind.BIGINT) {
                throw fail(at, "timestamp column '" + c.name() + "' is " + c.type()
                        + "; it must be TIMESTAMP or BIGINT (epoch milliseconds)");
            }
            timestamp = c.name();
        }

        List<String> keyColumns = new ArrayList<>();
        for (Token k : primaryKey) {
            Column c = find(columns, k.text());
            if (c == null) {
                throw fail(k, "PRIMARY KEY column '" + k.text() + "' is not a column of " + name.text()
                        + "; columns are: " + columnList);
            }
            if (keyColumns.contains(c.name())) {
                throw fail(k, "column '" + c.name() + "' appears twice in the PRIMARY KEY");
            }
            keyColumns.add(c.name());
        }
        if (!table && primaryKeyAt != null) {
            throw fail(primaryKeyAt, "a SOURCE is an append-only stream and has no PRIMARY KEY; use "
                    + "key = '<column>' in WITH, or CREATE TABLE for upsert semantics");
        }
        if (table && primaryKeyAt == null) {
            throw fail(name, "table " + name.text() + " needs a PRIMARY KEY: the column(s) its record key holds");
        }
        if (values.containsKey("key")) {
            Token at = options.get("key")[1];
            List<String> declared = new ArrayList<>();
            for (String part : at.text().split(",")) {
                Column c = find(columns, part.trim());
                if (c == null) {
                    throw fail(at, "key column '" + part.trim() + "' is not a column of " + name.text()
                            + "; columns are: " + columnList);
                }
                if (declared.contains(c.name())) {
                    throw fail(at, "key column '" + c.name() + "' is named twice");
                }
                declared.add(c.name());
            }
            if (table && !declared.equals(keyColumns)) {
                throw fail(at, "table " + name.text() + " has PRIMARY KEY " + keyColumns + " but key = '"
                        + at.text() + "'; the PRIMARY KEY is the key, drop the key option");
            }
            keyColumns = declared;
        }
        String sql = script.text().substring(statement.start(), statement.end()).strip();
        return new SourceDefinition(name.text(), topic, format, columns, keyColumns, table, timestamp, values, sql);
    }

    /**
     * Reads {@code WITH (k = 'v', ...)} into {@code options} (keys lower-cased) up to the end of the statement.
     * The clause may be absent when {@code optional}.
     */
    private void withOptions(List<String> known, Map<String, Token[]> options, boolean optional) {
        Token with = peek();
        if (with == null) {
            if (!optional) {
                throw fail(tokens.get(tokens.size() - 1), "expected WITH (options) at the end of the statement; "
                        + "known options are: " + String.join(", ", known));
            }
            return;
        }
        if (!with.isWord("WITH")) {
            throw fail(with, "expected WITH (options) or the end of the statement but got '" + with.text() + "'");
        }
        pos++;
        expectSymbol("(", "after WITH");
        do {
            Token key = next("option name");
            if (!key.isIdentifier() && key.kind() != Kind.STRING) {
                throw fail(key, "expected an option name but got '" + key.text() + "'; known options are: "
                        + String.join(", ", known));
            }
            StringBuilder name = new StringBuilder(key.text());
            while (key.isIdentifier() && peek() != null && peek().isSymbol(".")) {
                pos++; // dotted option names such as batch.size
                name.append('.').append(identifier("the rest of option name '" + name + ".'").text());
            }
            String k = name.toString().toLowerCase(Locale.ROOT);
            if (!known.contains(k)) {
                throw fail(key, "unknown option '" + key.text() + "'; known options are: "
                        + String.join(", ", known));
            }
            expectSymbol("=", "after option '" + key.text() + "'");
            Token value = next("a quoted option value");
            if (value.kind() != Kind.STRING) {
                throw fail(value, "option '" + k + "' needs a quoted string value, e.g. " + k + " = '"
                        + value.text() + "'");
            }
            if (options.putIfAbsent(k, new Token[] {key, value}) != null) {
                throw fail(key, "option '" + k + "' is given twice");
            }
        } while (acceptSymbol(","));
        expectSymbol(")", "to close the WITH options");
        Token extra = peek();
        if (extra != null) {
            throw fail(extra, "unexpected '" + extra.text() + "' after the WITH options");
        }
    }

    private SinkStatement sink(Token name) {
        Token from = next("FROM <view>");
        if (!from.isWord("FROM")) {
            throw fail(from, "expected FROM <view> after the sink name but got '" + from.text() + "'");
        }
        Token view = identifier("view name");
        Map<String, Token[]> options = new LinkedHashMap<>();
        withOptions(SINK_OPTIONS, options, false);
        Map<String, String> values = new LinkedHashMap<>();
        options.forEach((k, v) -> values.put(k, v[1].text()));
        String connector = values.get("connector");
        if (connector == null) {
            throw fail(name, "sink " + name.text() + " needs connector = '...'; supported connectors are: "
                    + String.join(", ", SINK_CONNECTORS));
        }
        if (!SINK_CONNECTORS.contains(connector.toLowerCase(Locale.ROOT))) {
            throw fail(options.get("connector")[1], "unsupported connector '" + connector
                    + "'; supported connectors are: " + String.join(", ", SINK_CONNECTORS));
        }
        for (String required : List.of("url", "table")) {
            if (!values.containsKey(required) || values.get(required).isBlank()) {
                throw fail(name, "sink " + name.text() + " needs " + required + " = '...'");
            }
        }
        String sql = script.text().substring(statement.start(), statement.end()).strip();
        return new SinkStatement(name, view, new SinkDefinition(name.text(), view.text(), values, sql));
    }

    private static Column find(List<Column> columns, String name) {
        for (Column c : columns) {
            if (c.name().equalsIgnoreCase(name)) {
                return c;
            }
        }
        return null;
    }

    private ColumnType type(Token column) {
        Token first = peek();
        if (first == null || first.kind() != Kind.WORD || first.isWord("PRIMARY") || first.isWord("NOT")
                || first.isWord("NULL")) {
            Token at = first != null ? first : column;
            throw fail(at, "column '" + column.text() + "' needs a type; supported: BOOLEAN, INT, BIGINT, DOUBLE, "
                    + "DECIMAL(p,s), VARCHAR, TIMESTAMP");
        }
        pos++;
        Token second = peek();
        if (second != null && ((first.isWord("DOUBLE") && second.isWord("PRECISION"))
                || (first.isWord("CHARACTER") && second.isWord("VARYING")))) {
            pos++;
        }
        if (peek() != null && peek().isSymbol("(")) {
            while (pos < tokens.size() && !tokens.get(pos).isSymbol(")")) {
                pos++;
            }
            next("')' to close the type's arguments");
        }
        String text = script.text().substring(first.start(), tokens.get(pos - 1).end());
        try {
            return ColumnType.parse(text);
        } catch (IllegalArgumentException e) {
            throw fail(first, "column '" + column.text() + "': " + e.getMessage());
        }
    }

    private Token keywordPair(String first, String second) {
        Token a = next(first);
        Token b = next(second);
        if (!b.isWord(second)) {
            throw fail(b, "expected " + second + " after " + first + " but got '" + b.text() + "'");
        }
        return a;
    }

    private Token identifier(String what) {
        Token t = next(what);
        if (!t.isIdentifier()) {
            throw fail(t, "expected " + what + " but got '" + t.text() + "'");
        }
        return t;
    }

    private void expectSymbol(String symbol, String context) {
        Token t = next("'" + symbol + "'");
        if (!t.isSymbol(symbol)) {
            throw fail(t, "expected '" + symbol + "' " + context + " but got '" + t.text() + "'");
        }
    }

    private boolean acceptSymbol(String symbol) {
        Token t = peek();
        if (t != null && t.isSymbol(symbol)) {
            pos++;
            return true;
        }
        return false;
    }

    private Token peek() {
        return pos < tokens.size() ? tokens.get(pos) : null;
    }

    private Token next(String expected) {
        if (pos >= tokens.size()) {
            throw PlanningFailure.at(script, statement.end(), "unexpected end of statement; expected " + expected);
        }
        return tokens.get(pos++);
    }

    private PlanningFailure fail(Token at, String reason) {
        return PlanningFailure.at(script, at.start(), reason);
    }
}
