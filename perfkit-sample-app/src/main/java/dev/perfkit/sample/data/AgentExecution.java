package dev.perfkit.sample.data;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;

/**
 * One run of an agent.
 */
@Entity
public class AgentExecution {

	@Id
	@GeneratedValue
	private Long id;

	@ManyToOne(fetch = FetchType.LAZY)
	private Agent agent;

	private String status;

	private Instant startedAt;

	private long durationMillis;

	protected AgentExecution() {
	}

	AgentExecution(Agent agent, String status, Instant startedAt, long durationMillis) {
		this.agent = agent;
		this.status = status;
		this.startedAt = startedAt;
		this.durationMillis = durationMillis;
	}

	public Long getId() {
		return this.id;
	}

	public Agent getAgent() {
		return this.agent;
	}

	public String getStatus() {
		return this.status;
	}

	public Instant getStartedAt() {
		return this.startedAt;
	}

	public long getDurationMillis() {
		return this.durationMillis;
	}

}
