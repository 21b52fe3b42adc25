package dev.perfkit.sample.data;

import java.time.Instant;

import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;

/**
 * Credits booked to or from a project.
 */
@Entity
public class CreditTransaction {

	@Id
	@GeneratedValue
	private Long id;

	@ManyToOne(fetch = FetchType.LAZY)
	private Project project;

	private long amount;

	private Instant bookedAt;

	protected CreditTransaction() {
	}

	CreditTransaction(Project project, long amount, Instant bookedAt) {
		this.project = project;
		this.amount = amount;
		this.bookedAt = bookedAt;
	}

	public long getAmount() {
		return this.amount;
	}

}
