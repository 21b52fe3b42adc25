package dev.perfkit.sample.data;

import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;

/**
 * A log line written by an agent execution.
 */
@Entity
public class ExecutionLog {

	@Id
	@GeneratedValue
	private Long id;

	@ManyToOne(fetch = FetchType.LAZY)
	private AgentExecution execution;

	private String message;

	protected ExecutionLog() {
	}

	ExecutionLog(AgentExecution execution, String message) {
		this.execution = execution;
		this.message = message;
	}

	public String getMessage() {
		return this.message;
	}

}
