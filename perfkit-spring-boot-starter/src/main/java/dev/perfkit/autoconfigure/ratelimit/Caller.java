package dev.perfkit.autoconfigure.ratelimit;

import java.security.Principal;
import java.util.List;

/**
 * What rate limiting reads of the request being limited, whatever the web stack: the
 * servlet request ({@link ServletCaller}) or the WebFlux exchange ({@link ExchangeCaller}).
 * Keeps {@link Checkpoint}, {@link KeyResolver} and {@link ClientAddressResolver} free of
 * either stack's types, so that they load in an application that has only the other one.
 */
interface Caller {

	/**
	 * Return the connection's peer, as the server saw it (beneath any forwarded-header
	 * rewriting).
	 * @return the address text, or {@code null} when unknown
	 */
	String remoteAddress();

	/**
	 * Return a header's values (lines) in order, as the server received them.
	 * @param name the header's name
	 * @return the values, possibly empty
	 */
	List<String> headers(String name);

	/**
	 * Return a header's first value.
	 * @param name the header's name
	 * @return the value, or {@code null}
	 */
	String header(String name);

	/**
	 * Return the authenticated principal.
	 * @return the principal, or {@code null}
	 */
	Principal principal();

	/**
	 * Return the stack's own request object, the {@code #request} of SpEL keys.
	 * @return the {@code HttpServletRequest} or the {@code ServerHttpRequest}
	 */
	Object request();

	/**
	 * Return a request attribute.
	 * @param name the name
	 * @return the value, or {@code null}
	 */
	Object attribute(String name);

	/**
	 * Set a request attribute, or remove it when the value is {@code null}.
	 * @param name the name
	 * @param value the value, or {@code null}
	 */
	void attribute(String name, Object value);

	/**
	 * Return the caller's plan when it was resolved up front (on WebFlux, by the
	 * {@link ReactivePlanResolver}), else {@code null}: the checkpoint then asks its own
	 * plan lookup.
	 * @return the plan, or {@code null}
	 */
	default Plan plan() {
		return null;
	}

	/**
	 * A plan resolved up front.
	 *
	 * @param name the plan's name, or {@code null} for the tier's default
	 */
	record Plan(String name) {

		/** No plan: the tier's {@code default-plan}, else its own limits. */
		static final Plan NONE = new Plan(null);

	}

}
