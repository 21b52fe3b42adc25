package dev.perfkit.autoconfigure.query.orders;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "pk5_customer")
public class Customer {

	@Id
	private Long id;

	private String name;

	protected Customer() {
	}

	public Customer(Long id, String name) {
		this.id = id;
		this.name = name;
	}

	public String getName() {
		return this.name;
	}

}
