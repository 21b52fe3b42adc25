package dev.perfkit.autoconfigure.ratelimit;

import java.util.List;

import dev.perfkit.autoconfigure.InvalidPerfkitPropertyException;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ClientAddressResolverTests {

	private final ClientAddressResolver resolver = new ClientAddressResolver(List.of("10.0.0.0/8", "2001:db8:ffff::/48"));

	@Test
	void anUntrustedPeersForwardingHeadersAreIgnored() {
		MockHttpServletRequest request = request("192.0.2.50");
		request.addHeader("X-Forwarded-For", "203.0.113.1");
		request.addHeader("Forwarded", "for=203.0.113.2");
		assertThat(key(request)).isEqualTo("192.0.2.50");
	}

	@Test
	void behindTrustedProxiesTheRightMostUntrustedHopWins() {
		MockHttpServletRequest request = request("10.0.0.1");
		request.addHeader("X-Forwarded-For", "6.6.6.6, 203.0.113.7");
		request.addHeader("X-Forwarded-For", "10.1.1.1");
		assertThat(key(request)).isEqualTo("203.0.113.7");
	}

	@Test
	void whenEveryHopIsTrustedTheLeftMostIsTheClient() {
		MockHttpServletRequest request = request("10.0.0.1");
		request.addHeader("X-Forwarded-For", "10.9.9.9, 10.1.1.1");
		assertThat(key(request)).isEqualTo("10.9.9.9");
	}

	@Test
	void onlyTheConfiguredHeaderIsReadAndTheOtherIsIgnored() {
		MockHttpServletRequest request = request("10.0.0.1");
		request.addHeader("X-Forwarded-For", "203.0.113.7");
		request.addHeader("Forwarded", "for=198.51.100.1");
		assertThat(key(request)).isEqualTo("203.0.113.7");
		ClientAddressResolver forwarded = new ClientAddressResolver(List.of("10.0.0.0/8"), "Forwarded");
		assertThat(ClientAddressResolver.keyOf(forwarded.resolve(new ServletCaller(request)))).isEqualTo("198.51.100.1");
		ClientAddressResolver realIp = new ClientAddressResolver(List.of("10.0.0.0/8"), "X-Real-IP");
		assertThat(ClientAddressResolver.keyOf(realIp.resolve(new ServletCaller(request)))).isEqualTo("10.0.0.1");
		request.addHeader("X-Real-IP", "192.0.2.99");
		assertThat(ClientAddressResolver.keyOf(realIp.resolve(new ServletCaller(request)))).isEqualTo("192.0.2.99");
	}

	@Test
	void theContainersPeerAndHeaderAreReadBeneathSpringsForwardedHeaderFilter() throws Exception {
		MockHttpServletRequest request = request("10.0.0.1");
		request.addHeader("X-Forwarded-For", "6.6.6.6, 203.0.113.7");
		jakarta.servlet.http.HttpServletRequest[] seen = new jakarta.servlet.http.HttpServletRequest[1];
		new org.springframework.web.filter.ForwardedHeaderFilter().doFilter(request,
				new org.springframework.mock.web.MockHttpServletResponse(),
				(wrapped, response) -> seen[0] = (jakarta.servlet.http.HttpServletRequest) wrapped);
		// the filter answers the left-most, client-written hop and hides the header
		assertThat(seen[0].getRemoteAddr()).isEqualTo("6.6.6.6");
		assertThat(ClientAddressResolver.keyOf(this.resolver.resolve(new ServletCaller(seen[0])))).isEqualTo("203.0.113.7");
	}

	@Test
	void aHeaderNameThatIsNoTokenIsRejectedAtStartup() {
		assertThatExceptionOfType(InvalidPerfkitPropertyException.class)
			.isThrownBy(() -> new ClientAddressResolver(List.of(), "X Forwarded: For"))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("perfkit.rate-limit.client-address-header"));
	}

	@Test
	void forwardedHeaderWithQuotedIpv6AndPortsIsUnderstoodAndIpv6IsGroupedBySlash64() {
		MockHttpServletRequest request = request("10.0.0.1");
		request.addHeader("Forwarded", "for=\"[2001:db8:1:2:aaaa:bbbb:cccc:dddd]:4711\";proto=https, for=10.2.2.2");
		ClientAddressResolver forwarded = new ClientAddressResolver(List.of("10.0.0.0/8"), "Forwarded");
		assertThat(ClientAddressResolver.keyOf(forwarded.resolve(new ServletCaller(request)))).isEqualTo("2001:db8:1:2:0:0:0:0/64");
		MockHttpServletRequest sameSubnet = request("2001:db8:1:2::99");
		assertThat(key(sameSubnet)).isEqualTo("2001:db8:1:2:0:0:0:0/64");
	}

	@Test
	void anUnreadableHopStopsAtTheLastTrustedProxy() {
		MockHttpServletRequest request = request("10.0.0.1");
		request.addHeader("X-Forwarded-For", "203.0.113.9, unknown, 10.3.3.3");
		assertThat(key(request)).isEqualTo("10.3.3.3");
		MockHttpServletRequest outOfRange = request("10.0.0.1");
		outOfRange.addHeader("X-Forwarded-For", "203.0.113.9, 999.1.1.1");
		assertThat(key(outOfRange)).isEqualTo("10.0.0.1");
		MockHttpServletRequest port = request("10.0.0.1");
		port.addHeader("X-Forwarded-For", "203.0.113.9:5555");
		assertThat(key(port)).isEqualTo("203.0.113.9");
	}

	@Test
	void aHostNameAsTrustedProxyIsRejectedAtStartup() {
		assertThatExceptionOfType(InvalidPerfkitPropertyException.class)
			.isThrownBy(() -> new ClientAddressResolver(List.of("proxy.example.com")))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("perfkit.rate-limit.trusted-proxies"));
	}

	private String key(MockHttpServletRequest request) {
		return ClientAddressResolver.keyOf(this.resolver.resolve(new ServletCaller(request)));
	}

	private static MockHttpServletRequest request(String peer) {
		MockHttpServletRequest request = new MockHttpServletRequest();
		request.setRemoteAddr(peer);
		return request;
	}

}
