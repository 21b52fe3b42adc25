package dev.perfkit.sample.ratelimit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.perfkit.ratelimit.RateLimit;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import static dev.perfkit.ratelimit.Tiers.RELAXED;
import static dev.perfkit.ratelimit.Tiers.SENSITIVE;
import static dev.perfkit.ratelimit.Tiers.STANDARD;

/**
 * The agent registry's write API (kept in memory), limited by how much harm a burst could
 * do: reads are relaxed (the class's annotation), updates standard, creation and deletion
 * sensitive (the methods' own). The listing, {@code GET /api/agents}, reads the database
 * ({@code DataController}).
 */
@RestController
@RequestMapping("/api/agents")
@RateLimit(tier = RELAXED)
class AgentController {

	private final Map<Long, Agent> agents = new ConcurrentHashMap<>();

	private final AtomicLong ids = new AtomicLong();

	@GetMapping("/{id}")
	ResponseEntity<Agent> get(@PathVariable long id) {
		Agent agent = this.agents.get(id);
		return (agent != null) ? ResponseEntity.ok(agent) : ResponseEntity.notFound().build();
	}

	@PostMapping
	@ResponseStatus(HttpStatus.CREATED)
	@RateLimit(tier = SENSITIVE)
	Agent create(@RequestBody Agent agent) {
		long id = this.ids.incrementAndGet();
		Agent created = new Agent(id, agent.name());
		this.agents.put(id, created);
		return created;
	}

	@PutMapping("/{id}")
	@RateLimit(tier = STANDARD)
	Agent update(@PathVariable long id, @RequestBody Agent agent) {
		Agent updated = new Agent(id, agent.name());
		this.agents.put(id, updated);
		return updated;
	}

	@DeleteMapping("/{id}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	@RateLimit(tier = SENSITIVE)
	void delete(@PathVariable long id) {
		this.agents.remove(id);
	}

	record Agent(Long id, String name) {
	}

}
