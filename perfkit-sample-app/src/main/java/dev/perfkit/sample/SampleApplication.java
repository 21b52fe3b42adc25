package dev.perfkit.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;

/**
 * A small agent-platform API that exercises every perfkit feature: cached statistics and
 * pricing, rate-limited login and agent endpoints, JPA with a deliberate N+1 and its fix.
 */
@SpringBootApplication
@EnableCaching
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
