package dev.perfkit.sample.cache;

import java.util.concurrent.atomic.AtomicLong;

import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/**
 * Computes agent statistics; {@code sync = true} so that a burst of requests for a cold
 * agent computes them once.
 */
@Service
public class AgentStatisticsService {

	private final AtomicLong computations = new AtomicLong();

	@Cacheable(cacheNames = "agent-statistics", sync = true)
	public AgentStatistics statistics(String agentId) {
		this.computations.incrementAndGet();
		int seed = Math.floorMod(agentId.hashCode(), 1000);
		return new AgentStatistics(agentId, 100L + seed, 3.5 + (seed % 15) / 10.0);
	}

	public long computations() {
		return this.computations.get();
	}

}
