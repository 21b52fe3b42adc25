package dev.perfkit.autoconfigure.cache;

import dev.perfkit.cache.CacheStatus;

import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * Adds {@code X-Cache-Status: HIT} or {@code MISS} to a response body written by a
 * controller method that read a perfkit cache, just before the body is written (after
 * that, headers can no longer change).
 */
@ControllerAdvice
final class CacheStatusHeaderAdvice implements ResponseBodyAdvice<Object> {

	static final String HEADER = "X-Cache-Status";

	@Override
	public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
		return true;
	}

	@Override
	public Object beforeBodyWrite(Object body, MethodParameter returnType, MediaType selectedContentType,
			Class<? extends HttpMessageConverter<?>> selectedConverterType, ServerHttpRequest request,
			ServerHttpResponse response) {
		CacheStatus.Scope scope = CacheStatus.current();
		String status = (scope != null) ? scope.status() : null;
		if (status != null) {
			response.getHeaders().set(HEADER, status);
		}
		return body;
	}

}
