package dev.perfkit.sample.data;

import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;

/**
 * An automation agent that belongs to a project.
 */
@Entity
public class Agent {

	@Id
	@GeneratedValue
	private Long id;

	private String name;

	@ManyToOne(fetch = FetchType.LAZY)
	private Project project;

	protected Agent() {
	}

	Agent(String name, Project project) {
		this.name = name;
		this.project = project;
	}

	public Long getId() {
		return this.id;
	}

	public String getName() {
		return this.name;
	}

	public Project getProject() {
		return this.project;
	}

}
