package dev.statefront.ingest;

/**
 * Why one event of a request was refused.
 *
 * @param index the event's index in the request (0-based)
 * @param reason what is wrong and what to fix
 */
public record EventViolation(int index, String reason) {
}
