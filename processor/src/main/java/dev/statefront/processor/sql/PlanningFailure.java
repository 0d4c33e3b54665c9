package dev.statefront.processor.sql;

/**
 * Thrown inside the planner at the point of failure; {@link SqlPlanner} adds the statement and turns it into a
 * {@link SqlException}. A position of 0 means "the statement's own start".
 */
final class PlanningFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int line;
    final int column;

    PlanningFailure(int line, int column, String reason) {
        this(line, column, reason, null);
    }

    PlanningFailure(int line, int column, String reason, Throwable cause) {
        super(reason, cause);
        this.line = line;
        this.column = column;
    }

    /** A failure positioned at a script offset. */
    static PlanningFailure at(Script script, int offset, String reason) {
        return new PlanningFailure(script.line(offset), script.column(offset), reason);
    }
}
