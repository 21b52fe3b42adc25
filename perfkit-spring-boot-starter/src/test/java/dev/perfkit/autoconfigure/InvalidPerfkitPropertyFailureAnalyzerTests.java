package dev.perfkit.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

class InvalidPerfkitPropertyFailureAnalyzerTests {

	@Test
	void namesThePropertyTheValueAndTheFix() {
		InvalidPerfkitPropertyException cause = new InvalidPerfkitPropertyException("perfkit.cache.local.ttl", "10m",
				"The local TTL is longer than the remote TTL (5m).", "set it to 5m or less.");
		FailureAnalysis analysis = new InvalidPerfkitPropertyFailureAnalyzer()
			.analyze(new BeanCreationException("perfkitCacheManager", "failed", cause));
		assertThat(analysis.getDescription()).contains("perfkit.cache.local.ttl")
			.contains("10m")
			.contains("longer than the remote TTL");
		assertThat(analysis.getAction()).contains("perfkit.cache.local.ttl").contains("5m or less");
	}

}
