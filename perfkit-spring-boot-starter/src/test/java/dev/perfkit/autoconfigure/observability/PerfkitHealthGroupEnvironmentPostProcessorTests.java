package dev.perfkit.autoconfigure.observability;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

class PerfkitHealthGroupEnvironmentPostProcessorTests {

	private final PerfkitHealthGroupEnvironmentPostProcessor postProcessor = new PerfkitHealthGroupEnvironmentPostProcessor();

	@Test
	void definesThePerfkitGroupWithTheDegradedStatusByDefault() {
		MockEnvironment environment = new MockEnvironment();
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("management.endpoint.health.group.perfkit.include"))
			.isEqualTo("perfkitCache,perfkitRateLimit,perfkitPool");
		assertThat(environment.getProperty("management.endpoint.health.group.perfkit.status.order"))
			.isEqualTo("down,out-of-service,saturated,degraded,up,unknown");
	}

	@Test
	void theApplicationsOwnSettingsWin() {
		MockEnvironment environment = new MockEnvironment()
			.withProperty("management.endpoint.health.group.perfkit.include", "perfkitPool");
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("management.endpoint.health.group.perfkit.include"))
			.isEqualTo("perfkitPool");
	}

	@Test
	void excludingTheObservabilityAutoConfigurationDefinesNoGroup() {
		MockEnvironment environment = new MockEnvironment().withProperty("spring.autoconfigure.exclude",
				"com.example.Other," + PerfkitObservabilityAutoConfiguration.class.getName());
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("management.endpoint.health.group.perfkit.include")).isNull();
	}

	@Test
	void perfkitEnabledFalseDefinesNoGroup() {
		MockEnvironment environment = new MockEnvironment().withProperty("perfkit.enabled", "false");
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("management.endpoint.health.group.perfkit.include")).isNull();
	}

}
