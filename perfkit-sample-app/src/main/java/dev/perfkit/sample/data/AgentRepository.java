package dev.perfkit.sample.data;

import java.util.List;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface AgentRepository extends JpaRepository<Agent, Long> {

	@Query("select a from Agent a join fetch a.project order by a.name")
	List<Agent> findAllWithProjects();

}
