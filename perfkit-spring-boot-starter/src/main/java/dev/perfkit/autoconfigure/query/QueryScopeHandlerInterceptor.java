package dev.perfkit.autoconfigure.query;

import dev.perfkit.query.QueryScope;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Opens an N+1 scope per HTTP request, named by method and route pattern (never the raw
 * path, which may hold ids), and closes it when the request completes.
 */
final class QueryScopeHandlerInterceptor implements HandlerInterceptor {

	private static final String SCOPE_ATTRIBUTE = QueryScopeHandlerInterceptor.class.getName() + ".scope";

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
		Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
		String route = request.getMethod() + " " + ((pattern != null) ? pattern : "(unmapped)");
		request.setAttribute(SCOPE_ATTRIBUTE, QueryScope.open(route));
		return true;
	}

	@Override
	public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
			Exception ex) {
		if (request.getAttribute(SCOPE_ATTRIBUTE) instanceof QueryScope scope) {
			request.removeAttribute(SCOPE_ATTRIBUTE);
			scope.close();
		}
	}

}
