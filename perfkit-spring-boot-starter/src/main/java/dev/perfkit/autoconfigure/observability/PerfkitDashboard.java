package dev.perfkit.autoconfigure.observability;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The built-in dashboard: one HTML page with its script, styles and SVG charts inline
 * (nothing from a CDN, no build step), bundled in the starter. It reads the report
 * from the endpoint it is served by and fetches it again every refresh period.
 */
public final class PerfkitDashboard {

	static final String LOCATION = "/META-INF/perfkit/dashboard.html";

	private final String html;

	/**
	 * Load the dashboard page.
	 * @param refresh how often the page fetches the report again
	 */
	public PerfkitDashboard(Duration refresh) {
		try (InputStream in = PerfkitDashboard.class.getResourceAsStream(LOCATION)) {
			if (in == null) {
				throw new IllegalStateException("The dashboard page " + LOCATION + " is missing from the starter");
			}
			this.html = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("{{refreshMillis}}",
					Long.toString(refresh.toMillis()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The page.
	 * @return the HTML
	 */
	public String html() {
		return this.html;
	}

}
