package dev.perfkit.autoconfigure.cache;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The opt-in {@code X-Cache-Status} header.
 */
class PerfkitCacheWebAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(PerfkitCacheAutoConfiguration.class,
				PerfkitCacheWebAutoConfiguration.class))
		.withUserConfiguration(WebConfiguration.class);

	@Test
	void theHeaderSaysMissThenHitForACachedControllerMethod() {
		this.contextRunner.withPropertyValues("perfkit.cache.status-header.enabled=true").run((context) -> {
			MockMvc mvc = mockMvc(context);
			mvc.perform(get("/prices/sku-1")).andExpect(status().isOk()).andExpect(header().string("X-Cache-Status", "MISS"));
			mvc.perform(get("/prices/sku-1")).andExpect(header().string("X-Cache-Status", "HIT"));
			mvc.perform(get("/plain")).andExpect(header().doesNotExist("X-Cache-Status"));
		});
	}

	@Test
	void theHeaderIsOffByDefault() {
		this.contextRunner.run((context) -> {
			assertThat(context).doesNotHaveBean(CacheStatusHeaderAdvice.class);
			mockMvc(context).perform(get("/prices/sku-1")).andExpect(header().doesNotExist("X-Cache-Status"));
		});
	}

	@SuppressWarnings("unchecked")
	private static MockMvc mockMvc(WebApplicationContext context) {
		var builder = MockMvcBuilders.webAppContextSetup(context);
		context.getBeansOfType(FilterRegistrationBean.class)
			.values()
			.forEach((registration) -> builder.addFilters(registration.getFilter()));
		return builder.build();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	@EnableWebMvc
	static class WebConfiguration {

		@Bean
		PriceController priceController() {
			return new PriceController();
		}

	}

	@RestController
	static class PriceController {

		@Cacheable("prices")
		@GetMapping("/prices/{sku}")
		public String price(@PathVariable String sku) {
			return "10.00";
		}

		@GetMapping("/plain")
		public String plain() {
			return "plain";
		}

	}

}
