package dev.perfkit.autoconfigure.query.orders;

import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

@Entity
@Table(name = "pk5_purchase_order")
public class PurchaseOrder {

	@Id
	private Long id;

	@ManyToOne(fetch = FetchType.LAZY)
	private Customer customer;

	protected PurchaseOrder() {
	}

	public PurchaseOrder(Long id, Customer customer) {
		this.id = id;
		this.customer = customer;
	}

	public Customer getCustomer() {
		return this.customer;
	}

}
