package dev.perfkit.sample.cache;

/**
 * An agent's conversation statistics: expensive to compute, fine to serve two minutes old.
 *
 * @param agentId the agent
 * @param conversations conversations handled
 * @param satisfaction average satisfaction, 0 to 5
 */
public record AgentStatistics(String agentId, long conversations, double satisfaction) {
}
