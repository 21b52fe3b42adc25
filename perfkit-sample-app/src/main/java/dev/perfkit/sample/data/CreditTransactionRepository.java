package dev.perfkit.sample.data;

import java.util.List;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface CreditTransactionRepository extends JpaRepository<CreditTransaction, Long> {

	/**
	 * The deliberately slow report: per project, its balance and how many pairs of its
	 * transactions are out of order by amount (a self-join that grows with the square of
	 * the transactions).
	 */
	@Query("""
			select p.name, sum(a.amount), count(b)
			from CreditTransaction a join a.project p, CreditTransaction b
			where b.project = a.project and b.amount > a.amount
			group by p.name
			order by p.name""")
	List<Object[]> balanceReport();

}
