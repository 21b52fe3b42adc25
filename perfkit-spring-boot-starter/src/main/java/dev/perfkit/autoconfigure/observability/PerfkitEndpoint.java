package dev.perfkit.autoconfigure.observability;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;

import dev.perfkit.report.PerformanceReport;
import dev.perfkit.report.PerformanceReportEngine;
import dev.perfkit.report.PlainTextReport;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.util.MimeType;
import org.springframework.util.MimeTypeUtils;

/**
 * The {@code perfkit} actuator endpoint: the whole report as JSON at
 * {@code /actuator/perfkit}, one section at {@code /actuator/perfkit/{section}}
 * ({@code cache}, {@code rateLimit}, {@code queries}, {@code pool},
 * {@code recommendations}, {@code degraded}, {@code penalties}), the plain-text report
 * at {@code /actuator/perfkit/report}, the HTML dashboard at
 * {@code /actuator/perfkit/dashboard} when {@code perfkit.dashboard.enabled} is true,
 * and {@code DELETE /actuator/perfkit} to start the statistics afresh. Boot's
 * {@code management.endpoint.perfkit.access} governs it. The reset changes state, so, as
 * Boot does for such operations, it is opt-in: the default access is {@code read-only}
 * (the reset is refused), {@code unrestricted} allows it and {@code none} removes the
 * endpoint.
 */
@WebEndpoint(id = "perfkit", defaultAccess = Access.READ_ONLY)
public class PerfkitEndpoint {

	private static final MimeType JSON = MimeTypeUtils.APPLICATION_JSON;

	private static final MimeType TEXT = new MimeType("text", "plain", StandardCharsets.UTF_8);

	private static final MimeType HTML = new MimeType("text", "html", StandardCharsets.UTF_8);

	private static final Map<String, Function<PerformanceReport, Object>> SECTIONS = Map.of("cache",
			PerformanceReport::cache, "rateLimit", PerformanceReport::rateLimit, "queries", PerformanceReport::queries,
			"pool", PerformanceReport::pool, "recommendations", PerformanceReport::recommendations, "degraded",
			PerformanceReport::degraded, "penalties", PerformanceReport::penalties);

	private final PerformanceReportEngine engine;

	private final PerfkitDashboard dashboard;

	/**
	 * Create the endpoint.
	 * @param engine the report engine
	 * @param dashboard the dashboard, or {@code null} when it is switched off
	 */
	public PerfkitEndpoint(PerformanceReportEngine engine, @Nullable PerfkitDashboard dashboard) {
		this.engine = engine;
		this.dashboard = dashboard;
	}

	/**
	 * The whole report.
	 * @return the report
	 */
	@ReadOperation
	public PerformanceReport report() {
		return this.engine.report();
	}

	/**
	 * One section of the report as JSON, the text report, or the dashboard.
	 * @param section the sub-path
	 * @return the section, or 404 for an unknown name (and for the dashboard when it is off)
	 */
	@ReadOperation(produces = { "application/json", "text/plain", "text/html" })
	public WebEndpointResponse<Object> section(@Selector String section) {
		if ("report".equals(section)) {
			return new WebEndpointResponse<>(PlainTextReport.render(this.engine.report()), TEXT);
		}
		if ("dashboard".equals(section)) {
			return (this.dashboard != null) ? new WebEndpointResponse<>(this.dashboard.html(), HTML)
					: new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
		}
		Function<PerformanceReport, Object> part = SECTIONS.get(section);
		if (part == null) {
			return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
		}
		return new WebEndpointResponse<>(part.apply(this.engine.report()), JSON);
	}

	/**
	 * Start the statistics afresh (the meters themselves keep counting).
	 */
	@DeleteOperation
	public void reset() {
		this.engine.reset();
	}

}
