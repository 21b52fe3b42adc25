package dev.perfkit.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * perfkit's master switch.
 */
@ConfigurationProperties("perfkit")
public class PerfkitProperties {

	/**
	 * Whether perfkit is on. When false, perfkit registers no bean at all and the
	 * application runs as if the starter were absent.
	 */
	private boolean enabled = true;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

}
