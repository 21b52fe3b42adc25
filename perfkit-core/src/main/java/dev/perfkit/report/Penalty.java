package dev.perfkit.report;

/**
 * Points taken off the score of 100 by one scoring rule (see {@code docs/observability.md}).
 *
 * @param rule the rule's name, such as {@code cache.hit-rate}
 * @param points the points taken off
 * @param reason the figures that cost the points
 */
public record Penalty(String rule, int points, String reason) {

}
