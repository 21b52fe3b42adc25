package dev.perfkit.autoconfigure.ratelimit;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.perfkit.ratelimit.Decision;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * The {@code 429} problem body shared by the servlet and the WebFlux paths: the standard
 * problem of {@link RateLimitProblemFactory#standard()} and
 * {@link ReactiveRateLimitProblemFactory#standard()}, and its JSON.
 */
final class RateLimitProblems {

	private RateLimitProblems() {
	}

	/**
	 * The standard problem: title {@code Too Many Requests}, a detail sentence, the
	 * request path as {@code instance}, and {@code tier}, {@code limit} (the binding one,
	 * when known) and {@code retryAfter} (seconds) as extension members.
	 * @param decision the rejection
	 * @param path the request's path
	 * @return the problem
	 */
	static ProblemDetail standard(Decision decision, String path) {
		String tier = (decision.quota() != null) ? decision.quota().tier() : "unknown";
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS,
				"Rate limit of tier '" + tier + "' exceeded; retry after " + decision.retryAfterSeconds() + " seconds.");
		problem.setTitle("Too Many Requests");
		problem.setInstance(URI.create(path));
		problem.setProperty("tier", tier);
		if (decision.limit() != null) {
			problem.setProperty("limit", decision.limit().toString());
		}
		problem.setProperty("retryAfter", decision.retryAfterSeconds());
		return problem;
	}

	/**
	 * Return a problem as {@code application/problem+json} bytes, its extension members
	 * at the top level.
	 * @param problem the problem
	 * @return the JSON
	 */
	static byte[] json(ProblemDetail problem) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", (problem.getType() != null) ? problem.getType().toString() : "about:blank");
		body.put("title", problem.getTitle());
		body.put("status", problem.getStatus());
		body.put("detail", problem.getDetail());
		if (problem.getInstance() != null) {
			body.put("instance", problem.getInstance().toString());
		}
		if (problem.getProperties() != null) {
			body.putAll(problem.getProperties());
		}
		return JsonMapper.shared().writeValueAsBytes(body);
	}

}
