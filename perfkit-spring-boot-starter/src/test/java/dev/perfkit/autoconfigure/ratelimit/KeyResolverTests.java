package dev.perfkit.autoconfigure.ratelimit;

import java.util.List;

import dev.perfkit.autoconfigure.InvalidPerfkitPropertyException;
import dev.perfkit.autoconfigure.ratelimit.KeyResolver.Identity;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class KeyResolverTests {

	@Test
	void anAllowListedAddressRangeExemptsIpKeyedChecksOnly() {
		KeyResolver keys = keys("198.51.100.0/24", "ip:2001:db8::/32");
		MockHttpServletRequest request = new MockHttpServletRequest();
		request.setRemoteAddr("198.51.100.7");
		request.setUserPrincipal(() -> "mallory");
		assertThat(keys.isAllowListed(keys.resolve("ip", new ServletCaller(request), null, null))).isTrue();
		// the same caller is limited per account and per SpEL key like anyone else
		assertThat(keys.isAllowListed(keys.resolve("user", new ServletCaller(request), null, null))).isFalse();
		assertThat(keys.isAllowListed(keys.resolve("#request.getRemoteAddr()", new ServletCaller(request), null, null))).isFalse();
		request.setRemoteAddr("2001:db8::5");
		assertThat(keys.isAllowListed(keys.resolve("ip", new ServletCaller(request), null, null))).isTrue();
	}

	@Test
	void anAllowListedNameExemptsOnlyTheKeyKindItNames() {
		KeyResolver keys = keys("user:ops", "key:batch", "api-key:internal");
		MockHttpServletRequest request = new MockHttpServletRequest();
		request.setUserPrincipal(() -> "ops");
		request.addHeader("X-API-Key", "ops");
		assertThat(keys.isAllowListed(keys.resolve("user", new ServletCaller(request), null, null))).isTrue();
		assertThat(keys.isAllowListed(keys.resolve("api-key", new ServletCaller(request), null, null))).isFalse();
		assertThat(keys.isAllowListed(keys.resolve("'ops'", new ServletCaller(request), null, null))).isFalse();
		assertThat(keys.isAllowListed(keys.resolve("'batch'", new ServletCaller(request), null, null))).isTrue();
		MockHttpServletRequest internal = new MockHttpServletRequest();
		internal.addHeader("X-API-Key", "internal");
		assertThat(keys.isAllowListed(keys.resolve("api-key", new ServletCaller(internal), null, null))).isTrue();
	}

	@Test
	void anAllowListEntryWithoutItsKindIsRejectedAtStartup() {
		assertThatExceptionOfType(InvalidPerfkitPropertyException.class).isThrownBy(() -> keys("ops"))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("perfkit.rate-limit.allow-list"));
		assertThatExceptionOfType(InvalidPerfkitPropertyException.class).isThrownBy(() -> keys("ip:not-an-address"));
	}

	@Test
	void spelKeysAreHashedBeforeTheLimiterSeesThem() {
		Identity identity = keys().resolve("'alice@example.com'", new ServletCaller(new MockHttpServletRequest()), null, null);
		assertThat(identity.key()).isEqualTo("spel:" + KeyResolver.sha256("alice@example.com"))
			.doesNotContain("alice");
	}

	private static KeyResolver keys(String... allowList) {
		RateLimitProperties properties = new RateLimitProperties();
		properties.setAllowList(List.of(allowList));
		return new KeyResolver(properties);
	}

}
