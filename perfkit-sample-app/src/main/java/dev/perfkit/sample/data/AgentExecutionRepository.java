package dev.perfkit.sample.data;

import java.util.List;

import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface AgentExecutionRepository extends JpaRepository<AgentExecution, Long> {

	@Query("select e from AgentExecution e order by e.id")
	List<AgentExecution> findRecent(Limit limit);

	@Query("select e from AgentExecution e join fetch e.agent order by e.id")
	List<AgentExecution> findRecentWithAgents(Limit limit);

}
