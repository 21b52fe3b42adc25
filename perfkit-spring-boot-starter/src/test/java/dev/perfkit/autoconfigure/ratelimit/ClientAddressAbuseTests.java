package dev.perfkit.autoconfigure.ratelimit;

import java.util.List;
import java.util.Map;

import dev.perfkit.ratelimit.LocalRateLimiter;
import dev.perfkit.ratelimit.RateLimit;
import dev.perfkit.ratelimit.RateLimiter;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

/**
 * Property-based hunt for a way around an ip-keyed limit: an attacker at one address
 * sends any forwarding headers it likes (X-Forwarded-For chains, Forwarded elements,
 * IPv4, IPv6, ports, trusted-looking and allow-listed addresses, garbage), sometimes
 * directly and sometimes through one or two trusted proxies that append its real address
 * to the configured header, as nginx or a load balancer does. Whatever it sends, it never
 * gets more admissions than the tier allows, and never a 500. jqwik prints the seed of a
 * failing run; rerun it with {@code @Property(seed = "...")}.
 */
class ClientAddressAbuseTests {

	private static final int LIMIT = 5;

	@Property(tries = 150)
	void anAttackerBehindTrustedProxiesNeverGetsMoreThanTheLimit(@ForAll("attacker") String attacker,
			@ForAll("attempts") List<Attempt> attempts,
			@ForAll("header") String configuredHeader) throws Exception {
		MockMvc mvc = mvc(configuredHeader);
		int admitted = 0;
		for (Attempt attempt : attempts) {
			int status = mvc.perform(attempt.build(attacker, configuredHeader)).andReturn().getResponse().getStatus();
			assertThat(status).isIn(200, 429);
			if (status == 200) {
				admitted++;
			}
		}
		assertThat(admitted).isLessThanOrEqualTo(LIMIT);
		// and the limit is not a wall everyone hits: the first attempt was admitted
		assertThat(admitted).isPositive();
	}

	private static MockMvc mvc(String header) {
		RateLimitProperties properties = new RateLimitProperties();
		properties.setTrustedProxies(List.of("10.0.0.0/8", "fd00::/8"));
		properties.setClientAddressHeader(header);
		properties.setAllowList(List.of("192.0.2.0/24", "user:192.0.2.1", "key:192.0.2.1"));
		RateLimitProperties.TierProperties login = new RateLimitProperties.TierProperties();
		login.setLimits(List.of(LIMIT + "/1h"));
		properties.setTiers(Map.of("login", login));
		TierDefinitions tiers = TierDefinitions.of(properties);
		RateLimiter limiter = new RateLimiter(tiers.tiers(), null, new LocalRateLimiter(1000), null);
		Checkpoint checkpoint = new Checkpoint(limiter, tiers, new KeyResolver(properties),
				PlanResolver.byAuthentication(), properties);
		RateLimitHeaders headers = new RateLimitHeaders(properties.getHeaders());
		return MockMvcBuilders.standaloneSetup(new Login())
			.addInterceptors(new RateLimitHandlerInterceptor(checkpoint, headers))
			.setHandlerExceptionResolvers(new RateLimitExceptionResolver(headers, RateLimitProblemFactory.standard()))
			.build();
	}

	@Provide
	Arbitrary<String> header() {
		return Arbitraries.of("X-Forwarded-For", "Forwarded", "X-Real-IP");
	}

	@Provide
	Arbitrary<String> attacker() {
		Arbitrary<String> v4 = Arbitraries.integers().between(11, 223)
			.flatMap((first) -> Arbitraries.integers().between(0, 255).list().ofSize(3)
				.map((rest) -> first + "." + rest.get(0) + "." + rest.get(1) + "." + rest.get(2)));
		Arbitrary<String> v6 = Arbitraries.integers().between(0, 0xffff).list().ofSize(3)
			.map((groups) -> String.format("2001:db8:%x:%x::%x", groups.get(0), groups.get(1), groups.get(2)));
		return Arbitraries.oneOf(v4, v6);
	}

	@Provide
	Arbitrary<List<Attempt>> attempts() {
		return request().list().ofMinSize(LIMIT + 1).ofMaxSize(14);
	}

	private static Arbitrary<Attempt> request() {
		Arbitrary<Integer> proxies = Arbitraries.integers().between(0, 2);
		Arbitrary<Boolean> appendAsOwnLine = Arbitraries.of(true, false);
		Arbitrary<List<String>> forwardedFor = hop().list().ofMaxSize(4).map((hops) -> List.of(String.join(", ", hops)))
			.injectNull(0.3);
		Arbitrary<List<String>> forwarded = hop().map((hop) -> "for=" + quoteMaybe(hop) + ";proto=https")
			.list().ofMaxSize(3).map((elements) -> List.of(String.join(", ", elements))).injectNull(0.3);
		Arbitrary<List<String>> realIp = hop().list().ofMaxSize(2).injectNull(0.5);
		return Combinators.combine(proxies, appendAsOwnLine, forwardedFor, forwarded, realIp).as(Attempt::new);
	}

	private static String quoteMaybe(String hop) {
		return (hop.hashCode() % 2 == 0) ? "\"" + hop + "\"" : hop;
	}

	/** What an attacker writes as a hop: addresses it does not own, ours, garbage. */
	private static Arbitrary<String> hop() {
		Arbitrary<String> any = Arbitraries.integers().between(0, 255).list().ofSize(4)
			.map((octets) -> octets.get(0) + "." + octets.get(1) + "." + octets.get(2) + "." + octets.get(3));
		Arbitrary<String> trusted = Arbitraries.integers().between(0, 255).map((octet) -> "10.0.0." + octet);
		Arbitrary<String> allowListed = Arbitraries.integers().between(0, 255).map((octet) -> "192.0.2." + octet);
		Arbitrary<String> v6 = Combinators
			.combine(Arbitraries.of("[2001:db8::%x]:443", "2001:db8:%x::1", "[fd00::%x]", "fd00::%x"),
					Arbitraries.integers().between(0, 0xffff))
			.as(String::formatted);
		Arbitrary<String> withPort = any.map((address) -> address + ":" + (address.length() * 97));
		Arbitrary<String> words = Arbitraries.of("unknown", "_hidden", "", " ", "localhost", "999.1.1.1", "[::1",
				"\"", "for=", ";", "::ffff:10.0.0.1", "0x7f.1", "2130706433");
		Arbitrary<String> garbage = Arbitraries.strings().ofMaxLength(40);
		return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, any), net.jqwik.api.Tuple.of(3, trusted),
				net.jqwik.api.Tuple.of(3, allowListed), net.jqwik.api.Tuple.of(2, v6), net.jqwik.api.Tuple.of(1, withPort),
				net.jqwik.api.Tuple.of(2, words), net.jqwik.api.Tuple.of(2, garbage));
	}

	/**
	 * One request as the attacker sends it: its own forwarding headers, and how many
	 * trusted proxies stand between it and the application.
	 */
	record Attempt(int proxies, boolean appendAsOwnLine, List<String> forwardedFor, List<String> forwarded,
			List<String> realIp) {

		MockHttpServletRequestBuilder build(String attacker, String configuredHeader) {
			MockHttpServletRequestBuilder request = post("/login");
			String ownLine = null;
			for (String[] header : new String[][] { { "X-Forwarded-For", line(this.forwardedFor) },
					{ "Forwarded", line(this.forwarded) }, { "X-Real-IP", line(this.realIp) } }) {
				if (header[1] == null) {
					continue;
				}
				if (header[0].equalsIgnoreCase(configuredHeader)) {
					ownLine = header[1];
				}
				else {
					request.header(header[0], header[1]);
				}
			}
			if (this.proxies == 0) {
				if (ownLine != null) {
					request.header(configuredHeader, ownLine);
				}
				return request.with((mock) -> {
					mock.setRemoteAddr(attacker);
					return mock;
				});
			}
			// Each proxy appends the address it received the request from.
			StringBuilder appended = new StringBuilder();
			String from = attacker;
			for (int i = 0; i < this.proxies; i++) {
				appended.append((appended.length() > 0) ? ", " : "").append(element(configuredHeader, from));
				from = "10.0.1." + (i + 1);
			}
			if (ownLine != null && this.appendAsOwnLine) {
				request.header(configuredHeader, ownLine, appended.toString());
			}
			else {
				request.header(configuredHeader, (ownLine != null) ? ownLine + ", " + appended : appended.toString());
			}
			String peer = from;
			return request.with((mock) -> {
				mock.setRemoteAddr(peer);
				return mock;
			});
		}

		private static String line(List<String> values) {
			return (values != null && !values.isEmpty()) ? values.get(0) : null;
		}

		private static String element(String header, String address) {
			if (!"Forwarded".equalsIgnoreCase(header)) {
				return address;
			}
			return "for=" + (address.contains(":") ? "\"[" + address + "]\"" : address);
		}

	}

	@RestController
	static class Login {

		@PostMapping("/login")
		@RateLimit(tier = "login")
		String login() {
			return "ok";
		}

	}

}
