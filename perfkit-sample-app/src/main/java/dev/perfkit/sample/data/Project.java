package dev.perfkit.sample.data;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;

/**
 * A project that agents work for and credits are booked against.
 */
@Entity
public class Project {

	@Id
	@GeneratedValue
	private Long id;

	private String name;

	protected Project() {
	}

	Project(String name) {
		this.name = name;
	}

	public Long getId() {
		return this.id;
	}

	public String getName() {
		return this.name;
	}

}
