package dev.perfkit.sample.data;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.EntityManager;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Fills an empty database with a few projects, agents, executions with logs and credit
 * transactions.
 */
@Component
class DataSeeder implements ApplicationRunner {

	private final EntityManager entityManager;

	DataSeeder(EntityManager entityManager) {
		this.entityManager = entityManager;
	}

	@Override
	@Transactional
	public void run(ApplicationArguments args) {
		Long existing = this.entityManager.createQuery("select count(p) from Project p", Long.class).getSingleResult();
		if (existing > 0) {
			return;
		}
		Instant now = Instant.now();
		List<Project> projects = new ArrayList<>();
		for (int p = 1; p <= 5; p++) {
			Project project = new Project("project-" + p);
			this.entityManager.persist(project);
			projects.add(project);
			for (int c = 0; c < 400; c++) {
				this.entityManager.persist(new CreditTransaction(project, (c * 37L + p) % 1000 - 300, now));
			}
		}
		for (int a = 1; a <= 20; a++) {
			Agent agent = new Agent("agent-" + a, projects.get(a % projects.size()));
			this.entityManager.persist(agent);
			AgentExecution execution = new AgentExecution(agent, (a % 4 == 0) ? "FAILED" : "SUCCEEDED",
					now.minusSeconds(a * 60L), a * 150L);
			this.entityManager.persist(execution);
			this.entityManager.persist(new ExecutionLog(execution, "started"));
			this.entityManager.persist(new ExecutionLog(execution, "finished"));
		}
	}

}
