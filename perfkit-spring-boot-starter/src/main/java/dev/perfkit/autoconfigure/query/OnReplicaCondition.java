package dev.perfkit.autoconfigure.query;

import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;

/**
 * Matches when a read replica is configured by URL or by bean name.
 */
final class OnReplicaCondition extends AnyNestedCondition {

	OnReplicaCondition() {
		super(ConfigurationPhase.REGISTER_BEAN);
	}

	@ConditionalOnProperty("perfkit.datasource.replica.url")
	static class Url {

	}

	@ConditionalOnProperty("perfkit.datasource.replica.bean-name")
	static class BeanName {

	}

}
