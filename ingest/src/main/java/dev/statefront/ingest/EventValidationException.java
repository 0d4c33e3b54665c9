package dev.statefront.ingest;

import java.util.List;

/** Some events of a request do not fit their source's columns; nothing of the request was produced. */
public class EventValidationException extends RuntimeException {
    private final String source;
    private final List<EventViolation> violations;

    public EventValidationException(String source, List<EventViolation> violations) {
        super(violations.size() + " event(s) do not fit source '" + source + "', nothing was written: "
                + summary(violations));
        this.source = source;
        this.violations = List.copyOf(violations);
    }

    /** The source name. */
    public String source() {
        return source;
    }

    /** Every bad event, by index. */
    public List<EventViolation> violations() {
        return violations;
    }

    private static String summary(List<EventViolation> violations) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(5, violations.size()); i++) {
            EventViolation v = violations.get(i);
            sb.append(i == 0 ? "" : "; ").append("#").append(v.index()).append(": ").append(v.reason());
        }
        if (violations.size() > 5) {
            sb.append("; and ").append(violations.size() - 5).append(" more");
        }
        return sb.toString();
    }
}
