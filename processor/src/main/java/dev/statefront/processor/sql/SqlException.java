package dev.statefront.processor.sql;

/**
 * A script could not be planned: names the statement (1-based number and what it defines), the position in the
 * whole script (1-based line and column) and what is wrong, e.g. {@code statement 2 (CREATE MATERIALIZED VIEW
 * customer_stats), line 3:12: column 'amount' not found in source 'orders'; columns are: ...}. Unchecked, so
 * callers that plan at start-up can let it propagate as a configuration error.
 */
public class SqlException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int statement;
    private final String statementLabel;
    private final int line;
    private final int column;
    private final String reason;

    /**
     * A planning error.
     *
     * @param statement the 1-based statement number
     * @param statementLabel what the statement defines, e.g. {@code CREATE SOURCE orders}; null if unknown
     * @param line 1-based line in the script
     * @param column 1-based column in the script
     * @param reason what is wrong and, where possible, what to do; not null
     * @param cause the underlying parser or validator error; may be null
     */
    public SqlException(int statement, String statementLabel, int line, int column, String reason, Throwable cause) {
        super(format(statement, statementLabel, line, column, reason), cause);
        this.statement = statement;
        this.statementLabel = statementLabel;
        this.line = line;
        this.column = column;
        this.reason = reason;
    }

    private static String format(int statement, String label, int line, int column, String reason) {
        return "statement " + statement + (label == null ? "" : " (" + label + ")") + ", line " + line + ":"
                + column + ": " + reason;
    }

    /** The 1-based number of the failing statement in the script. */
    public int statement() {
        return statement;
    }

    /** What the statement defines, e.g. {@code CREATE MATERIALIZED VIEW customer_stats}; null if unknown. */
    public String statementLabel() {
        return statementLabel;
    }

    /** The 1-based line in the whole script. */
    public int line() {
        return line;
    }

    /** The 1-based column in the whole script. */
    public int column() {
        return column;
    }

    /** The message without the statement and position prefix. */
    public String reason() {
        return reason;
    }
}
