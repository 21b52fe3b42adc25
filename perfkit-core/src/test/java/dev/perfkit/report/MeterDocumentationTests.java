package dev.perfkit.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.perfkit.test.MeterTable;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The meter table in {@code docs/observability.md}, the meters the report engine reads,
 * the meters as the contract registers them, and the series the Grafana dashboard and the
 * alert rules query cannot drift apart.
 */
class MeterDocumentationTests {

	private static final Path DOCS = Path.of("..", "docs");

	@Test
	void theMeterTableListsExactlyTheMetersTheReportReads() throws IOException {
		assertThat(documentedMeters().keySet()).containsExactlyInAnyOrderElementsOf(MeterNames.PERFKIT);
	}

	@Test
	void theMeterTableGivesEachMeterTheTypeAndTagsItIsRegisteredWith() throws IOException {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		registerEveryContractMeter(new ContractMeters(registry));
		Map<String, MeterTable.Row> documented = documentedMeters();
		Map<String, String> registeredTypes = new TreeMap<>();
		Map<String, Set<String>> registeredTags = new TreeMap<>();
		for (Meter meter : registry.getMeters()) {
			String name = meter.getId().getName();
			// Micrometer derives .percentile gauges from a timer that publishes percentiles.
			if (!name.startsWith("perfkit.") || name.endsWith(".percentile")) {
				continue;
			}
			registeredTypes.put(name, switch (meter.getId().getType()) {
				case COUNTER -> "counter";
				case TIMER -> "timer";
				case GAUGE -> "gauge";
				default -> meter.getId().getType().name();
			});
			registeredTags.computeIfAbsent(name, (n) -> new TreeSet<>())
				.addAll(meter.getId().getTags().stream().map(Tag::getKey).toList());
		}
		assertThat(registeredTypes.keySet()).containsExactlyInAnyOrderElementsOf(documented.keySet());
		documented.forEach((name, meter) -> {
			assertThat(meter.type()).as("type of " + name).isEqualTo(registeredTypes.get(name));
			assertThat(meter.tags()).as("tags of " + name).isEqualTo(registeredTags.get(name));
			assertThat(meter.meaning()).as("meaning of " + name).isNotBlank();
		});
	}

	@Test
	void theGrafanaDashboardAndTheAlertRulesQueryOnlyDocumentedMeters() throws IOException {
		Set<String> series = documentedMeters().keySet().stream()
			.map((name) -> name.replace('.', '_').replace('-', '_'))
			.collect(Collectors.toSet());
		for (Path file : new Path[] { DOCS.resolve("grafana/perfkit-dashboard.json"),
				DOCS.resolve("prometheus/perfkit-alerts.yml") }) {
			Matcher matcher = Pattern.compile("perfkit_[a-z0-9_]+").matcher(Files.readString(file));
			Set<String> used = new TreeSet<>();
			while (matcher.find()) {
				used.add(matcher.group());
			}
			assertThat(used).as("perfkit series in " + file).isNotEmpty();
			for (String name : used) {
				String base = name.replaceAll("(_seconds)?(_total|_count|_sum|_max|_bucket)$", "")
					.replaceAll("_seconds$", "");
				assertThat(series).as(name + " in " + file + " is a documented meter").contains(base);
			}
		}
	}

	private static Map<String, MeterTable.Row> documentedMeters() throws IOException {
		return MeterTable.read(DOCS.resolve("observability.md"));
	}

	static void registerEveryContractMeter(ContractMeters meters) {
		meters.gets("pricing", "local", 1, 1)
			.puts("pricing", 1)
			.evictions("pricing", "local", 1)
			.load("pricing", "success", Duration.ofMillis(1))
			.cacheCounter(MeterNames.CACHE_REMOTE_ERRORS, "pricing", 1)
			.remoteLatency("pricing", Duration.ofMillis(1))
			.cacheCounter(MeterNames.CACHE_INVALIDATIONS_SENT, "pricing", 1)
			.cacheCounter(MeterNames.CACHE_INVALIDATIONS_RECEIVED, "pricing", 1, "source", "message")
			.cacheCounter(MeterNames.CACHE_LOCAL_FLUSHES, "pricing", 1, "reason", "reconnect")
			.cacheCounter(MeterNames.CACHE_DECODE_FAILURES, "pricing", 1)
			.cacheCounter(MeterNames.CACHE_STALE_SERVED, "pricing", 1)
			.cacheCounter(MeterNames.CACHE_REFRESHES, "pricing", 1, "result", "completed")
			.size("pricing", 1)
			.requests("AUTH", "free", 1, 1, 1)
			.fallbacks("AUTH", 1)
			.backendLatency("redis", Duration.ofMillis(1))
			.query("main", "aaaa", Duration.ofMillis(1), 1)
			.datasourceCounter(MeterNames.QUERY_ERRORS, "main", 1)
			.datasourceCounter(MeterNames.QUERY_SLOW, "main", 1)
			.datasourceCounter(MeterNames.QUERY_SLOW_LOG_SUPPRESSED, "main", 1)
			.datasourceCounter(MeterNames.QUERY_N_PLUS_ONE, "main", 1)
			.fingerprints("main", 1)
			.pool("main", 1, 1, 2, 0, 0, 0.5, 1);
	}

}
