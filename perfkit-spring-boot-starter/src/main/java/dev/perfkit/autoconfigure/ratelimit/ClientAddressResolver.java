package dev.perfkit.autoconfigure.ratelimit;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import dev.perfkit.autoconfigure.InvalidPerfkitPropertyException;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Finds the client's address for IP keys. Forwarding headers are believed only from a
 * trusted proxy, and then read right to left: each hop was appended by the proxy before
 * it, so the right-most hop that is not itself a trusted proxy is the client as far as
 * anyone we trust can tell. Everything left of it was written by the client and may be
 * forged. IPv6 clients are grouped by their /64, which one subscriber usually holds whole.
 */
final class ClientAddressResolver {

	private final List<AddressRange> trustedProxies;

	ClientAddressResolver(List<String> trustedProxies) {
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
		this.trustedProxies = List.copyOf(ranges);
	}

	/**
	 * Return the client's address.
	 * @param request the request
	 * @return the address, or {@code null} when the peer's address is unreadable
	 */
	InetAddress resolve(HttpServletRequest request) {
		InetAddress peer = AddressRange.literal(String.valueOf(request.getRemoteAddr()));
		if (peer == null || !isTrusted(peer)) {
			return peer;
		}
		InetAddress client = peer;
		List<String> hops = forwarded(request);
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

	private static List<String> forwarded(HttpServletRequest request) {
		List<String> hops = new ArrayList<>();
		List<String> forwarded = Collections.list(request.getHeaders("Forwarded"));
		if (!forwarded.isEmpty()) {
			for (String header : forwarded) {
				for (String element : header.split(",")) {
					for (String pair : element.split(";")) {
						String trimmed = pair.trim();
						if (trimmed.toLowerCase(Locale.ROOT).startsWith("for=")) {
							hops.add(unquote(trimmed.substring(4)));
						}
					}
				}
			}
			return hops;
		}
		for (String header : Collections.list(request.getHeaders("X-Forwarded-For"))) {
			for (String hop : header.split(",")) {
				if (!hop.isBlank()) {
					hops.add(hop.trim());
				}
			}
		}
		return hops;
	}

	private static String unquote(String value) {
		String trimmed = value.trim();
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
