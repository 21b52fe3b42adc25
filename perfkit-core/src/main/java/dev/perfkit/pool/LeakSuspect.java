package dev.perfkit.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A connection held longer than the leak threshold.
 *
 * @param pool the pool name
 * @param thread the name of the thread that borrowed it
 * @param heldFor how long it had been held when flagged
 * @param detectedAt when it was flagged
 * @param stack the borrowing thread's stack when flagged, innermost first
 */
public record LeakSuspect(String pool, String thread, Duration heldFor, Instant detectedAt, List<String> stack) {
}
