package dev.perfkit.sample.cache;

import java.io.Serializable;

/**
 * An agent's conversation statistics: expensive to compute, fine to serve two minutes old.
 * {@link Serializable} for Boot's own Redis cache when perfkit is off.
 *
 * @param agentId the agent
 * @param conversations conversations handled
 * @param satisfaction average satisfaction, 0 to 5
 */
public record AgentStatistics(String agentId, long conversations, double satisfaction) implements Serializable {
}
