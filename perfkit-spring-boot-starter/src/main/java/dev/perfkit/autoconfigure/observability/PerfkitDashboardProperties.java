package dev.perfkit.autoconfigure.observability;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The built-in HTML dashboard at {@code /actuator/perfkit/dashboard}.
 */
@ConfigurationProperties("perfkit.dashboard")
public class PerfkitDashboardProperties {

	/**
	 * Whether the perfkit endpoint serves the HTML dashboard at its {@code dashboard}
	 * sub-path. Off by default; it is protected like the endpoint itself.
	 */
	private boolean enabled;

	/**
	 * How often the dashboard fetches the report again.
	 */
	private Duration refresh = Duration.ofSeconds(5);

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Duration getRefresh() {
		return this.refresh;
	}

	public void setRefresh(Duration refresh) {
		this.refresh = refresh;
	}

}
