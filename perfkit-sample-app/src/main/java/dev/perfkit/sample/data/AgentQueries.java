package dev.perfkit.sample.data;

import java.util.List;
import java.util.Map;

import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The sample's read paths. Every method is a read-only transaction, so with a replica
 * configured (the {@code postgres} profile) its statements run on the replica.
 */
@Service
class AgentQueries {

	private static final Limit RECENT = Limit.of(20);

	private final AgentRepository agents;

	private final AgentExecutionRepository executions;

	private final CreditTransactionRepository credits;

	AgentQueries(AgentRepository agents, AgentExecutionRepository executions, CreditTransactionRepository credits) {
		this.agents = agents;
		this.executions = executions;
		this.credits = credits;
	}

	/** Deliberate N+1: one query for the executions, then one per execution for its agent. */
	@Transactional(readOnly = true)
	List<Map<String, Object>> recentExecutionsNPlusOne() {
		return this.executions.findRecent(RECENT).stream().map(AgentQueries::describe).toList();
	}

	/** The fixed twin: one query with a fetch join. */
	@Transactional(readOnly = true)
	List<Map<String, Object>> recentExecutionsFetchJoin() {
		return this.executions.findRecentWithAgents(RECENT).stream().map(AgentQueries::describe).toList();
	}

	@Transactional(readOnly = true)
	List<Map<String, Object>> agents() {
		return this.agents.findAllWithProjects()
			.stream()
			.map((agent) -> Map.<String, Object>of("id", agent.getId(), "name", agent.getName(), "project",
					agent.getProject().getName()))
			.toList();
	}

	@Transactional(readOnly = true)
	List<Map<String, Object>> balanceReport() {
		return this.credits.balanceReport()
			.stream()
			.map((row) -> Map.of("project", row[0], "weightedBalance", row[1], "outOfOrderPairs", row[2]))
			.toList();
	}

	private static Map<String, Object> describe(AgentExecution execution) {
		return Map.of("id", execution.getId(), "agent", execution.getAgent().getName(), "status",
				execution.getStatus(), "durationMillis", execution.getDurationMillis());
	}

}
