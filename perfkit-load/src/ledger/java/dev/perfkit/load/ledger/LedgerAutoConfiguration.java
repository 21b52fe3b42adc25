package dev.perfkit.load.ledger;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Put on the sample's class path by {@code perfkit-load/run} only: replaces the sample's
 * in-memory credit store with {@link LedgerCreditService} (table
 * {@code perfkit_load_ledger}, created by the script) when
 * {@code perfkit-load.ledger.enabled=true}.
 */
@AutoConfiguration
@ConditionalOnProperty(name = "perfkit-load.ledger.enabled", havingValue = "true")
public final class LedgerAutoConfiguration {

	@Bean
	@Primary
	LedgerCreditService ledgerCreditService(JdbcTemplate jdbc) {
		return new LedgerCreditService(jdbc);
	}

}
