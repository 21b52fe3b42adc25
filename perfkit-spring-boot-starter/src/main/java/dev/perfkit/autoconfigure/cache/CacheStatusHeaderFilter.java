package dev.perfkit.autoconfigure.cache;

import java.io.IOException;

import dev.perfkit.cache.CacheStatus;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Opens a {@link CacheStatus} scope around each request, so that
 * {@link CacheStatusHeaderAdvice} can tell whether the handler's cache reads hit.
 */
final class CacheStatusHeaderFilter extends OncePerRequestFilter {

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		try (CacheStatus.Scope scope = CacheStatus.open()) {
			chain.doFilter(request, response);
		}
	}

}
