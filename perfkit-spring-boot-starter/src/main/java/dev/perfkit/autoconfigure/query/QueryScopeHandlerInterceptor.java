package dev.perfkit.autoconfigure.query;

import dev.perfkit.query.QueryScope;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.servlet.AsyncHandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Opens an N+1 scope per HTTP request, named by method and route pattern (never the raw
 * path, which may hold ids), and closes it when the request completes, or when it goes
 * asynchronous (the scope is bound to the request thread, which returns to the pool).
 */
final class QueryScopeHandlerInterceptor implements AsyncHandlerInterceptor {

	private static final String SCOPE_ATTRIBUTE = QueryScopeHandlerInterceptor.class.getName() + ".scope";

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
		Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
		String route = request.getMethod() + " " + ((pattern != null) ? pattern : "(unmapped)");
		request.setAttribute(SCOPE_ATTRIBUTE, QueryScope.open(route));
		return true;
	}

	@Override
	public void afterConcurrentHandlingStarted(HttpServletRequest request, HttpServletResponse response,
			Object handler) {
		close(request);
	}

	@Override
	public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
			Exception ex) {
		close(request);
	}

	private static void close(HttpServletRequest request) {
		if (request.getAttribute(SCOPE_ATTRIBUTE) instanceof QueryScope scope) {
			request.removeAttribute(SCOPE_ATTRIBUTE);
			scope.close();
		}
	}

}
