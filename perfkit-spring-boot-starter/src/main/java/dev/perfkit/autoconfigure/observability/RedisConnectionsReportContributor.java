package dev.perfkit.autoconfigure.observability;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.perfkit.redis.CircuitBreaker;
import dev.perfkit.redis.RedisConnector;
import dev.perfkit.redis.RedisConnectorFactory;
import dev.perfkit.report.ReportContributor;
import dev.perfkit.report.ReportDraft;
import dev.perfkit.report.ReportSection;

import org.springframework.beans.factory.ObjectProvider;

/**
 * Reports the Redis connection of every engine that took one from the shared
 * {@link RedisConnectorFactory}: a {@code redis} detail on the engine's section, and a
 * degradation reason while it is unusable. The breaker gauges alone do not say this: when
 * Redis stops, Lettuce drops the connection and commands fail at once without reaching
 * the breaker, so the breaker may stay closed while nothing reaches Redis.
 */
final class RedisConnectionsReportContributor implements ReportContributor {

	static final String DETAIL = "redis";

	private final ObjectProvider<RedisConnectorFactory> factory;

	RedisConnectionsReportContributor(ObjectProvider<RedisConnectorFactory> factory) {
		this.factory = factory;
	}

	@Override
	public void contribute(ReportDraft draft) {
		RedisConnectorFactory connectors = this.factory.getIfAvailable();
		if (connectors == null) {
			return;
		}
		for (RedisConnector connector : connectors.connectors()) {
			// An engine may connect lazily, on its first command: ask for the connection so
			// that a quiet engine is not reported as unavailable while Redis answers. This
			// is a no-op while connected, connecting, or within the reconnect backoff.
			connector.connect();
			String name = connector.settings().name();
			boolean available = connector.isAvailable();
			String state = state(connector);
			ReportSection section = section(name);
			if (section != null) {
				Map<String, Object> detail = new LinkedHashMap<>();
				detail.put("connection", name);
				detail.put("available", available);
				detail.put("state", state);
				draft.sectionDetail(section, DETAIL, detail);
			}
			if (!available) {
				draft.degrade("The " + name + " Redis connection is unavailable (" + state + "): " + consequence(section)
						+ " until Redis answers again.");
			}
		}
	}

	private static String state(RedisConnector connector) {
		if (connector.connection() == null) {
			return "not connected";
		}
		if (!connector.connection().isOpen()) {
			return "connection lost, reconnecting";
		}
		return (connector.breaker().state() == CircuitBreaker.State.OPEN) ? "circuit breaker open" : "connected";
	}

	private static ReportSection section(String connection) {
		String name = connection.toLowerCase(Locale.ROOT);
		if (name.startsWith("cache")) {
			return ReportSection.CACHE;
		}
		return name.startsWith("rate") ? ReportSection.RATE_LIMIT : null;
	}

	private static String consequence(ReportSection section) {
		if (section == ReportSection.CACHE) {
			return "caches serve from their local tier only";
		}
		if (section == ReportSection.RATE_LIMIT) {
			return "limits are enforced per instance by the local fallback";
		}
		return "its engine runs without Redis";
	}

}
