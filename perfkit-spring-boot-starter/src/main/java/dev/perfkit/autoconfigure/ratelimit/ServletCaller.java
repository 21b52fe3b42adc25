package dev.perfkit.autoconfigure.ratelimit;

import java.security.Principal;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

import dev.perfkit.ratelimit.Decision;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * A servlet request as a {@link Caller}. The peer and the forwarding header are read from
 * the request as the container made it, beneath any wrapper: Spring's
 * {@code ForwardedHeaderFilter} ({@code server.forward-headers-strategy=framework}) would
 * otherwise answer the left-most, client-written hop.
 *
 * @param request the request
 */
record ServletCaller(HttpServletRequest request) implements Caller {

	/**
	 * Return the current thread's servlet request, if any.
	 * @return the caller, or {@code null} outside a servlet request
	 */
	static ServletCaller current() {
		RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
		return (attributes instanceof ServletRequestAttributes servlet) ? new ServletCaller(servlet.getRequest())
				: null;
	}

	/**
	 * Write a decision's headers on the current thread's servlet response, unless it is
	 * committed.
	 * @param headers the header writer
	 * @param decision the decision
	 */
	static void writeHeaders(RateLimitHeaders headers, Decision decision) {
		RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
		HttpServletResponse response = (attributes instanceof ServletRequestAttributes servlet)
				? servlet.getResponse() : null;
		if (response != null && !response.isCommitted()) {
			headers.write(response::setHeader, decision);
		}
	}

	/**
	 * Adapt the application's servlet {@link PlanResolver}; on a reactive request it sees
	 * the principal and no request.
	 * @param resolver the resolver
	 * @return the plans
	 */
	static Checkpoint.Plans plans(PlanResolver resolver) {
		return (principal, caller) -> resolver.resolve(principal,
				(caller instanceof ServletCaller servlet) ? servlet.request() : null);
	}

	@Override
	public String remoteAddress() {
		return container().getRemoteAddr();
	}

	@Override
	public List<String> headers(String name) {
		Enumeration<String> values = container().getHeaders(name);
		return (values != null) ? Collections.list(values) : List.of();
	}

	@Override
	public String header(String name) {
		return this.request.getHeader(name);
	}

	@Override
	public Principal principal() {
		return this.request.getUserPrincipal();
	}

	@Override
	public Object attribute(String name) {
		return this.request.getAttribute(name);
	}

	@Override
	public void attribute(String name, Object value) {
		if (value != null) {
			this.request.setAttribute(name, value);
		}
		else {
			this.request.removeAttribute(name);
		}
	}

	private HttpServletRequest container() {
		ServletRequest original = this.request;
		while (original instanceof ServletRequestWrapper wrapper) {
			original = wrapper.getRequest();
		}
		return (original instanceof HttpServletRequest http) ? http : this.request;
	}

}
