package dev.perfkit.autoconfigure.ratelimit;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IP address or CIDR range, such as {@code 10.0.0.0/8}, {@code 2001:db8::/32} or
 * {@code 192.0.2.7}. Parses literals only: never a DNS lookup.
 *
 * @param network the network's address bytes
 * @param prefixLength the prefix length in bits
 */
record AddressRange(byte[] network, int prefixLength) {

	private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

	private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

	/**
	 * Parse an address or range.
	 * @param text the text
	 * @return the range, or {@code null} when the text is not an IP literal or CIDR
	 */
	static AddressRange parse(String text) {
		String trimmed = text.trim();
		int slash = trimmed.indexOf('/');
		InetAddress address = literal((slash < 0) ? trimmed : trimmed.substring(0, slash));
		if (address == null) {
			return null;
		}
		int bits = address.getAddress().length * 8;
		int prefix = bits;
		if (slash >= 0) {
			try {
				prefix = Integer.parseInt(trimmed.substring(slash + 1));
			}
			catch (NumberFormatException ex) {
				return null;
			}
			if (prefix < 0 || prefix > bits) {
				return null;
			}
		}
		return new AddressRange(mask(address.getAddress(), prefix), prefix);
	}

	/**
	 * Parse an IP literal without any name lookup.
	 * @param text the text, IPv6 possibly in brackets
	 * @return the address, or {@code null} when the text is not an IP literal
	 */
	static InetAddress literal(String text) {
		String candidate = text.trim();
		if (candidate.startsWith("[") && candidate.endsWith("]")) {
			candidate = candidate.substring(1, candidate.length() - 1);
		}
		if (candidate.isEmpty() || candidate.length() > 45) {
			return null;
		}
		if (IPV4.matcher(candidate).matches()) {
			for (String octet : candidate.split("\\.")) {
				if (Integer.parseInt(octet) > 255) {
					// Not a literal: InetAddress would try it as a host name.
					return null;
				}
			}
		}
		else if (!IPV6.matcher(candidate).matches()) {
			return null;
		}
		try {
			return InetAddress.getByName(candidate);
		}
		catch (UnknownHostException | SecurityException ex) {
			return null;
		}
	}

	boolean contains(InetAddress address) {
		byte[] bytes = address.getAddress();
		return bytes.length == this.network.length && java.util.Arrays.equals(mask(bytes, this.prefixLength), this.network);
	}

	static byte[] mask(byte[] address, int prefix) {
		byte[] masked = address.clone();
		for (int i = 0; i < masked.length; i++) {
			int keep = Math.max(0, Math.min(8, prefix - 8 * i));
			masked[i] = (byte) (masked[i] & (0xff << (8 - keep)));
		}
		return masked;
	}

}
