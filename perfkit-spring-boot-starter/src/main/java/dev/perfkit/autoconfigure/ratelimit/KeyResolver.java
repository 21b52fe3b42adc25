package dev.perfkit.autoconfigure.ratelimit;

import java.lang.reflect.Method;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.perfkit.autoconfigure.InvalidPerfkitPropertyException;

import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.EvaluationException;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.StandardEvaluationContext;

/**
 * Resolves the caller's key for a tier: {@code ip} (through the trusted proxies),
 * {@code user} (the request's principal, which Spring Security provides when present),
 * {@code api-key} (a header, hashed so that no secret reaches Redis or the logs), or a
 * SpEL expression over the method's arguments and {@code #request} (hashed too: such
 * values are often e-mail addresses). Also answers the allow-list, whose entries each
 * name the key kind they exempt: an address range exempts callers of {@code ip}-keyed
 * checks only, so a client that claims an allow-listed address is not thereby exempt
 * from its per-account limits, and a user name exempts {@code user}-keyed checks only.
 */
final class KeyResolver {

	static final String IP = "ip";

	static final String USER = "user";

	static final String API_KEY = "api-key";

	private static final Set<String> KINDS = Set.of(IP, USER, API_KEY);

	private final ClientAddressResolver clients;

	private final String apiKeyHeader;

	private final List<AddressRange> allowedRanges = new ArrayList<>();

	/** Allow-listed raw values by key kind ({@code user}, {@code api-key}, {@code key}). */
	private final Map<Kind, Set<String>> allowedKeys = new java.util.EnumMap<>(Kind.class);

	private final SpelExpressionParser parser = new SpelExpressionParser();

	private final Map<String, Expression> expressions = new ConcurrentHashMap<>();

	private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

	KeyResolver(RateLimitProperties properties) {
		this.clients = new ClientAddressResolver(properties.getTrustedProxies(), properties.getClientAddressHeader());
		this.apiKeyHeader = properties.getApiKeyHeader();
		for (String entry : properties.getAllowList()) {
			allow(entry);
		}
	}

	/**
	 * Add an allow-list entry: {@code ip:<address or CIDR>} (or a bare address or CIDR),
	 * {@code user:<name>}, {@code api-key:<key>} or {@code key:<value of a SpEL key>}.
	 */
	private void allow(String entry) {
		String text = entry.strip();
		int colon = text.indexOf(':');
		String prefix = (colon > 0) ? text.substring(0, colon) : "";
		String value = (colon > 0) ? text.substring(colon + 1) : text;
		Kind kind = switch (prefix) {
			case IP -> Kind.IP;
			case USER -> Kind.USER;
			case API_KEY -> Kind.API_KEY;
			case "key" -> Kind.SPEL;
			default -> {
				value = text;
				yield (AddressRange.parse(text) != null) ? Kind.IP : null;
			}
		};
		if (kind == Kind.IP) {
			AddressRange range = AddressRange.parse(value);
			if (range != null) {
				this.allowedRanges.add(range);
				return;
			}
		}
		else if (kind != null && !value.isEmpty()) {
			this.allowedKeys.computeIfAbsent(kind, (ignored) -> new HashSet<>()).add(value);
			return;
		}
		throw new InvalidPerfkitPropertyException("perfkit.rate-limit.allow-list", entry,
				"An allow-list entry must name the key kind it exempts.",
				"write ip:<address or CIDR> (or a bare address or CIDR), user:<name>, api-key:<key> or key:<value of a SpEL key>.");
	}

	/**
	 * Return whether a key specification needs the method's arguments, so that it can only
	 * be evaluated once they are bound (in the method interceptor, not before the handler).
	 * @param spec a key kind or SpEL expression
	 * @return whether it refers to variables other than {@code #request}
	 */
	static boolean needsArguments(String spec) {
		return !KINDS.contains(spec) && spec.replace("#request", "").contains("#");
	}

	/**
	 * Resolve the caller's key.
	 * @param spec a key kind or SpEL expression
	 * @param request the request, or {@code null} outside a web request
	 * @param method the invoked method, or {@code null}
	 * @param args its arguments, or {@code null} before they are bound
	 * @return the key, or {@code null} when the request lacks it
	 */
	Identity resolve(String spec, Caller request, Method method, Object[] args) {
		switch (spec) {
			case IP:
				return ip(request);
			case USER: {
				Principal principal = (request != null) ? request.principal() : null;
				return (principal != null && principal.getName() != null)
						? new Identity(Kind.USER, principal.getName(), "user:" + principal.getName(), null) : null;
			}
			case API_KEY: {
				String value = (request != null) ? request.header(this.apiKeyHeader) : null;
				return (value != null && !value.isBlank()) ? new Identity(Kind.API_KEY, value, "key:" + sha256(value), null) : null;
			}
			default:
				return spel(spec, request, method, args);
		}
	}

	Identity ip(Caller request) {
		InetAddress address = (request != null) ? this.clients.resolve(request) : null;
		return (address != null)
				? new Identity(Kind.IP, address.getHostAddress(), "ip:" + ClientAddressResolver.keyOf(address), address)
				: null;
	}

	/**
	 * Return whether the allow-list exempts an identity: by an address range when it is
	 * an address, by its raw value among the entries of its own kind otherwise.
	 * @param identity the caller's key
	 * @return whether never to limit it
	 */
	boolean isAllowListed(Identity identity) {
		if (identity.kind() == Kind.IP) {
			for (AddressRange range : this.allowedRanges) {
				if (range.contains(identity.address())) {
					return true;
				}
			}
			return false;
		}
		Set<String> allowed = this.allowedKeys.get(identity.kind());
		return allowed != null && allowed.contains(identity.raw());
	}

	private Identity spel(String spec, Caller request, Method method, Object[] args) {
		Expression expression = this.expressions.computeIfAbsent(spec, this.parser::parseExpression);
		StandardEvaluationContext context = (method != null && args != null)
				? new MethodBasedEvaluationContext(null, method, args, this.parameterNames)
				: new StandardEvaluationContext();
		context.setVariable("request", (request != null) ? request.request() : null);
		Object value;
		try {
			value = expression.getValue(context);
		}
		catch (EvaluationException ex) {
			// An expression over a missing argument or header: the request lacks the key.
			return null;
		}
		if (value == null || value.toString().isBlank()) {
			return null;
		}
		String text = value.toString();
		// Hashed: a SpEL key is usually personal (an e-mail address, an account number)
		// and must not appear in clear in Redis key names or in a rejection event.
		return new Identity(Kind.SPEL, text, "spel:" + sha256(text), null);
	}

	static String sha256(String value) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest, 0, 16);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The kinds of key, each with its own allow-list entries. */
	enum Kind {

		/** The client address. */
		IP,

		/** The principal's name. */
		USER,

		/** An API key header. */
		API_KEY,

		/** The value of a SpEL expression. */
		SPEL

	}

	/**
	 * A caller's key.
	 *
	 * @param kind what kind of key it is, for the allow-list
	 * @param raw the value as found, for the allow-list
	 * @param key the key the limiter sees
	 * @param address the client address of an {@code ip} key, else {@code null}
	 */
	record Identity(Kind kind, String raw, String key, InetAddress address) {
	}

}
