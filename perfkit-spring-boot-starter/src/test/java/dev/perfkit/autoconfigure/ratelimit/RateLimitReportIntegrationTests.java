package dev.perfkit.autoconfigure.ratelimit;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import dev.perfkit.test.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code perfkit} actuator endpoint's {@code rateLimit} section, over HTTP, shows the
 * effective limits of every tier and plan, traffic or not, and the rate limiter's Redis
 * connection.
 */
class RateLimitReportIntegrationTests {

	private static RedisProcess redis;

	private static ConfigurableApplicationContext context;

	@BeforeAll
	static void start() {
		redis = RedisProcess.start();
		List<String> properties = new ArrayList<>(RateLimitWebIntegrationTests.properties(redis.port()));
		properties.add("management.endpoints.web.exposure.include=perfkit");
		// The report counts a decision of the failure policy as an error, not as allowed: a
		// slow answer on a loaded machine must not reach the default 250 ms.
		properties.add("perfkit.redis.command-timeout=10s");
		context = new SpringApplicationBuilder(RateLimitTestApplication.class)
			.properties(properties.toArray(String[]::new))
			.run();
	}

	@AfterAll
	static void stop() {
		if (context != null) {
			context.close();
		}
		if (redis != null) {
			redis.close();
		}
	}

	@Test
	void theRateLimitSectionShowsEveryTierAndPlansEffectiveLimitsWithOrWithoutTraffic() throws Exception {
		assertThat(RateLimitWebIntegrationTests.send(context, "POST", "/login").statusCode()).isEqualTo(200);
		HttpResponse<String> response = RateLimitWebIntegrationTests.send(context, "GET", "/actuator/perfkit/rateLimit");
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode section = JsonMapper.builder().build().readTree(response.body());
		JsonNode auth = entry(section, "auth", "default");
		assertThat(auth.at("/details/limit").asString()).isEqualTo("5/1m");
		assertThat(auth.at("/details/algorithm").asString()).isEqualTo("sliding-log");
		assertThat(auth.at("/details/failurePolicy").asString()).isEqualTo("local");
		assertThat(auth.get("allowed").asLong()).isEqualTo(1);
		JsonNode pro = entry(section, "scan", "pro");
		assertThat(pro.at("/details/limit").asString()).isEqualTo("5/1h,2/30d");
		assertThat(pro.get("allowed").asLong()).isZero();
		assertThat(entry(section, "scan", "free").at("/details/limit").asString()).isEqualTo("10/1h,100/30d");
		assertThat(entry(section, "failed-logins", "default").at("/details/limit").asString()).isEqualTo("2/1h");
		assertThat(section.at("/details/redis/connection").asString()).startsWith("rate");
	}

	private static JsonNode entry(JsonNode section, String tier, String plan) {
		for (JsonNode limit : section.get("limits")) {
			if (tier.equals(limit.get("tier").asString()) && plan.equals(limit.get("plan").asString())) {
				return limit;
			}
		}
		throw new AssertionError("No entry for tier " + tier + " and plan " + plan + " in " + section);
	}

}
