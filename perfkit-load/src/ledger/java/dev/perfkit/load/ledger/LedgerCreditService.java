package dev.perfkit.load.ledger;

import dev.perfkit.sample.cache.CreditService;

import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The sample's credit balances kept in PostgreSQL instead of each instance's memory, so
 * that two instances share one source of truth and the load run can check, after the
 * load stops, that every instance answers what the database holds. Same cache, same keys
 * and same eviction as the sample's {@link CreditService}: only the store differs.
 */
public class LedgerCreditService extends CreditService {

	private final JdbcTemplate jdbc;

	public LedgerCreditService(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	@Override
	@Cacheable("credit-balance")
	public Long balance(String accountId) {
		return this.jdbc.queryForObject(
				"select coalesce(sum(amount), 0) from perfkit_load_ledger where account_id = ?", Long.class,
				accountId);
	}

	@Override
	@CacheEvict(cacheNames = "credit-balance", key = "#accountId")
	public void add(String accountId, long credits) {
		this.jdbc.update("insert into perfkit_load_ledger (account_id, amount) values (?, ?)", accountId, credits);
	}

}
