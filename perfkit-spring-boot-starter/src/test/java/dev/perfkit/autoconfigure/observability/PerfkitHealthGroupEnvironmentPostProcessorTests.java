package dev.perfkit.autoconfigure.observability;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.health.actuate.endpoint.SimpleHttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.SimpleStatusAggregator;
import org.springframework.boot.health.contributor.Status;
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
	void theGroupRanksSaturatedAboveDegradedAboveUpAndAnswers200ForBoth() {
		MockEnvironment environment = new MockEnvironment();
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		String group = "management.endpoint.health.group.perfkit.status.";
		SimpleStatusAggregator aggregator = new SimpleStatusAggregator(
				environment.getProperty(group + "order").split(","));
		Status saturated = new Status("SATURATED");
		Status degraded = new Status("DEGRADED");
		assertThat(aggregator.getAggregateStatus(Status.UP, degraded)).isEqualTo(degraded);
		assertThat(aggregator.getAggregateStatus(Status.UP, degraded, saturated)).isEqualTo(saturated);
		assertThat(aggregator.getAggregateStatus(Status.DOWN, saturated)).isEqualTo(Status.DOWN);
		SimpleHttpCodeStatusMapper http = new SimpleHttpCodeStatusMapper(
				Map.of("saturated", Integer.parseInt(environment.getProperty(group + "http-mapping.saturated")),
						"degraded", Integer.parseInt(environment.getProperty(group + "http-mapping.degraded"))));
		assertThat(http.getStatusCode(saturated)).isEqualTo(200);
		assertThat(http.getStatusCode(degraded)).isEqualTo(200);
		// Boot's default order drops statuses it does not know: overall health stays UP.
		assertThat(new SimpleStatusAggregator().getAggregateStatus(Status.UP, degraded, saturated))
			.isEqualTo(Status.UP);
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

	@Test
	void anIndicatorSwitchedOffWithBootsSwitchLeavesTheGroup() {
		// Boot validates group members at startup: a removed indicator must not be named.
		MockEnvironment environment = new MockEnvironment()
			.withProperty("management.health.perfkitCache.enabled", "false");
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("management.endpoint.health.group.perfkit.include"))
			.isEqualTo("perfkitRateLimit,perfkitPool");
	}

	@Test
	void withEveryIndicatorSwitchedOffThereIsNoGroup() {
		MockEnvironment environment = new MockEnvironment().withProperty("management.health.defaults.enabled",
				"false");
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("management.endpoint.health.group.perfkit.include")).isNull();
	}

}
