package dev.perfkit.sample.data;

import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Endpoints that show perfkit's database insight at work: watch the N+1 warning and the
 * {@code perfkit.query.*} meters while calling them.
 */
@RestController
@RequestMapping("/api")
class DataController {

	private final AgentQueries queries;

	DataController(AgentQueries queries) {
		this.queries = queries;
	}

	/** Deliberate N+1: perfkit logs a warning naming this route and the calling code. */
	@GetMapping("/executions/n-plus-one")
	List<Map<String, Object>> executionsNPlusOne() {
		return this.queries.recentExecutionsNPlusOne();
	}

	/** The same data with one fetch-join query: no warning. */
	@GetMapping("/executions")
	List<Map<String, Object>> executions() {
		return this.queries.recentExecutionsFetchJoin();
	}

	/** A read-only listing: on the replica in the {@code postgres} profile. */
	@GetMapping("/agents")
	List<Map<String, Object>> agents() {
		return this.queries.agents();
	}

	/** A deliberately slow report query, for the slow-query log. */
	@GetMapping("/reports/balances")
	List<Map<String, Object>> balances() {
		return this.queries.balanceReport();
	}

}
