package dev.perfkit.autoconfigure.ratelimit;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import dev.perfkit.autoconfigure.InvalidPerfkitPropertyException;

/**
 * Finds the client's address for IP keys, from the connection's peer and one configured
 * forwarding header ({@code X-Forwarded-For} by default, {@code Forwarded}, or any other
 * list header, like the {@code remote-ip-header} of Tomcat's {@code RemoteIpValve}).
 * <p>
 * <b>Implementation note.</b> The header is believed only when the peer is a trusted
 * proxy, and then read right to left: each hop was appended by the proxy before it, so
 * the right-most hop that is not itself a trusted proxy is the client as far as anyone we
 * trust can tell. Everything left of it was written by the client and may be forged, and
 * so is every other forwarding header: reading two headers would let a client pick the one
 * its own proxy does not write (a rotating {@code Forwarded} behind a proxy that appends
 * {@code X-Forwarded-For}). The peer and header are read from the request as the
 * server made it, beneath any wrapper ({@link Caller}): Spring's {@code ForwardedHeaderFilter}
 * ({@code server.forward-headers-strategy=framework}) would otherwise answer the left-most,
 * client-written hop. Only the right-most {@link #MAX_HOPS} hops are looked at, so a huge
 * header costs no more than a short one. IPv6 clients are grouped by their /64, which one
 * subscriber usually holds whole.
 */
final class ClientAddressResolver {

	/** The most hops looked at, from the right. */
	static final int MAX_HOPS = 32;

	private static final String FORWARDED = "Forwarded";

	private final List<AddressRange> trustedProxies;

	private final String header;

	private final boolean forwarded;

	ClientAddressResolver(List<String> trustedProxies) {
		this(trustedProxies, "X-Forwarded-For");
	}

	ClientAddressResolver(List<String> trustedProxies, String header) {
		List<AddressRange> ranges = new ArrayList<>();
		for (String proxy : trustedProxies) {
			AddressRange range = AddressRange.parse(proxy);
			if (range == null) {
				throw new InvalidPerfkitPropertyException("perfkit.rate-limit.trusted-proxies", proxy,
						"A trusted proxy must be an IP address or CIDR range.",
						"list addresses or ranges such as 10.0.0.0/8 or 2001:db8::/32 (host names are not looked up).");
			}
			ranges.add(range);
		}
		if (header == null || header.isBlank() || !header.strip().chars().allMatch(ClientAddressResolver::isTokenChar)) {
			throw new InvalidPerfkitPropertyException("perfkit.rate-limit.client-address-header", header,
					"The client address header must be an HTTP header name.",
					"set it to X-Forwarded-For (the default), Forwarded, or the header your proxy writes, such as X-Real-IP.");
		}
		this.trustedProxies = List.copyOf(ranges);
		this.header = header.strip();
		this.forwarded = FORWARDED.equalsIgnoreCase(this.header);
	}

	private static boolean isTokenChar(int c) {
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
	}

	/**
	 * Return the client's address.
	 * @param caller the request, servlet or reactive
	 * @return the address, or {@code null} when the peer's address is unreadable
	 */
	InetAddress resolve(Caller caller) {
		return resolve(caller.remoteAddress(), caller.headers(this.header));
	}

	/**
	 * Return the client's address from the peer and the values of the configured header.
	 * @param remoteAddress the connection's peer
	 * @param values the header's values (lines) in order, may be {@code null}
	 * @return the address, or {@code null} when the peer's address is unreadable
	 */
	InetAddress resolve(String remoteAddress, Iterable<String> values) {
		InetAddress peer = (remoteAddress != null) ? AddressRange.literal(remoteAddress) : null;
		if (peer == null || !isTrusted(peer)) {
			return peer;
		}
		InetAddress client = peer;
		List<String> hops = hops(values);
		for (int i = hops.size() - 1; i >= 0; i--) {
			InetAddress hop = AddressRange.literal(stripPort(hops.get(i)));
			if (hop == null) {
				// An unreadable hop ("unknown", an obfuscated name): the last trusted hop
				// is as far as we can see.
				break;
			}
			client = hop;
			if (!isTrusted(hop)) {
				break;
			}
		}
		return client;
	}

	/**
	 * Return the key text of an address: IPv4 as is, IPv6 as its /64 network.
	 * @param address the address
	 * @return the key text
	 */
	static String keyOf(InetAddress address) {
		if (address instanceof Inet6Address) {
			try {
				return InetAddress.getByAddress(AddressRange.mask(address.getAddress(), 64)).getHostAddress() + "/64";
			}
			catch (UnknownHostException ex) {
				throw new IllegalStateException(ex);
			}
		}
		return address.getHostAddress();
	}

	private boolean isTrusted(InetAddress address) {
		for (AddressRange range : this.trustedProxies) {
			if (range.contains(address)) {
				return true;
			}
		}
		return false;
	}

	/** Return the right-most {@link #MAX_HOPS} hops of the header, in order. */
	private List<String> hops(Iterable<String> values) {
		List<String> lines = new ArrayList<>();
		if (values != null) {
			for (Iterator<String> it = values.iterator(); it.hasNext();) {
				lines.add(it.next());
			}
		}
		List<String> hops = new ArrayList<>();
		for (int line = lines.size() - 1; line >= 0 && hops.size() < MAX_HOPS; line--) {
			String value = lines.get(line);
			if (value == null) {
				continue;
			}
			int end = value.length();
			while (end >= 0 && hops.size() < MAX_HOPS) {
				int start = value.lastIndexOf(',', end - 1);
				String element = value.substring(start + 1, Math.max(start + 1, end));
				String hop = this.forwarded ? forValue(element) : element.strip();
				// An empty list element ("a,,b") is no hop; a Forwarded element without a
				// for= parameter names no hop either and is unreadable.
				if (this.forwarded || !hop.isEmpty()) {
					hops.add((hop != null) ? hop : "");
				}
				end = start;
			}
		}
		Collections.reverse(hops);
		return hops;
	}

	/** Return the {@code for=} value of a {@code Forwarded} element, or {@code null}. */
	private static String forValue(String element) {
		for (String pair : element.split(";")) {
			String trimmed = pair.strip();
			if (trimmed.length() >= 4 && trimmed.substring(0, 4).toLowerCase(Locale.ROOT).equals("for=")) {
				return unquote(trimmed.substring(4));
			}
		}
		return null;
	}

	private static String unquote(String value) {
		String trimmed = value.strip();
		if (trimmed.length() >= 2 && trimmed.startsWith("\"") && trimmed.endsWith("\"")) {
			return trimmed.substring(1, trimmed.length() - 1);
		}
		return trimmed;
	}

	/** Strip a port: {@code [2001:db8::1]:4711} or {@code 192.0.2.1:4711}. */
	private static String stripPort(String hop) {
		if (hop.startsWith("[")) {
			int end = hop.indexOf(']');
			return (end > 0) ? hop.substring(0, end + 1) : hop;
		}
		int colon = hop.indexOf(':');
		if (colon > 0 && colon == hop.lastIndexOf(':')) {
			return hop.substring(0, colon);
		}
		return hop;
	}

}
