package dev.perfkit.sample.cache;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/**
 * Account credit balances: read on every agent call, so cached for 60 seconds, and evicted
 * on every instance the moment credits change.
 */
@Service
public class CreditService {

	private final Map<String, Long> balances = new ConcurrentHashMap<>();

	@Cacheable("credit-balance")
	public Long balance(String accountId) {
		return this.balances.getOrDefault(accountId, 0L);
	}

	@CacheEvict(cacheNames = "credit-balance", key = "#accountId")
	public void add(String accountId, long credits) {
		this.balances.merge(accountId, credits, Long::sum);
	}

}
