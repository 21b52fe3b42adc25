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

import jakarta.servlet.http.HttpServletRequest;

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
 * SpEL expression over the method's arguments and {@code #request}. Also answers the
 * allow-list.
 */
final class KeyResolver {

	static final String IP = "ip";

	static final String USER = "user";

	static final String API_KEY = "api-key";

	private static final Set<String> KINDS = Set.of(IP, USER, API_KEY);

	private final ClientAddressResolver clients;

	private final String apiKeyHeader;

	private final List<AddressRange> allowedRanges = new ArrayList<>();

	private final Set<String> allowedKeys = new HashSet<>();

	private final SpelExpressionParser parser = new SpelExpressionParser();

	private final Map<String, Expression> expressions = new ConcurrentHashMap<>();

	private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

	KeyResolver(RateLimitProperties properties) {
		this.clients = new ClientAddressResolver(properties.getTrustedProxies());
		this.apiKeyHeader = properties.getApiKeyHeader();
		for (String entry : properties.getAllowList()) {
			AddressRange range = AddressRange.parse(entry);
			if (range != null) {
				this.allowedRanges.add(range);
			}
			else {
				this.allowedKeys.add(entry);
			}
		}
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
	Identity resolve(String spec, HttpServletRequest request, Method method, Object[] args) {
		switch (spec) {
			case IP:
				return ip(request);
			case USER: {
				Principal principal = (request != null) ? request.getUserPrincipal() : null;
				return (principal != null && principal.getName() != null)
						? new Identity(principal.getName(), "user:" + principal.getName()) : null;
			}
			case API_KEY: {
				String value = (request != null) ? request.getHeader(this.apiKeyHeader) : null;
				return (value != null && !value.isBlank()) ? new Identity(value, "key:" + sha256(value)) : null;
			}
			default:
				return spel(spec, request, method, args);
		}
	}

	Identity ip(HttpServletRequest request) {
		InetAddress address = (request != null) ? this.clients.resolve(request) : null;
		return (address != null)
				? new Identity(address.getHostAddress(), "ip:" + ClientAddressResolver.keyOf(address)) : null;
	}

	boolean isAllowListed(Identity identity, HttpServletRequest request) {
		if (identity != null && this.allowedKeys.contains(identity.raw())) {
			return true;
		}
		if (this.allowedRanges.isEmpty() || request == null) {
			return false;
		}
		InetAddress client = this.clients.resolve(request);
		return client != null && this.allowedRanges.stream().anyMatch((range) -> range.contains(client));
	}

	private Identity spel(String spec, HttpServletRequest request, Method method, Object[] args) {
		Expression expression = this.expressions.computeIfAbsent(spec, this.parser::parseExpression);
		StandardEvaluationContext context = (method != null && args != null)
				? new MethodBasedEvaluationContext(null, method, args, this.parameterNames)
				: new StandardEvaluationContext();
		context.setVariable("request", request);
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
		return new Identity(text, "spel:" + text);
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

	/**
	 * A caller's key.
	 *
	 * @param raw the value as found, for the allow-list
	 * @param key the key the limiter sees
	 */
	record Identity(String raw, String key) {
	}

}
