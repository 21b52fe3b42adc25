package dev.perfkit.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every property in the configuration metadata that the processor generates has a
 * description and a row, by its full name, in a table of {@code docs/}.
 */
class ConfigurationMetadataDocumentationTests {

	@Test
	void everyPropertyIsDescribedAndDocumented() throws IOException {
		JsonNode metadata;
		try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(in).as("generated configuration metadata").isNotNull();
			metadata = JsonMapper.shared().readTree(in);
		}
		// A property is documented when a table row of docs/*.md names it.
		String rows = readDocs().lines()
			.filter((line) -> line.startsWith("|"))
			.collect(java.util.stream.Collectors.joining("\n"));
		List<String> undescribed = new ArrayList<>();
		List<String> undocumented = new ArrayList<>();
		for (JsonNode property : metadata.get("properties")) {
			String name = property.get("name").asString();
			if (!name.startsWith("perfkit.")) {
				continue;
			}
			JsonNode description = property.get("description");
			if (description == null || description.asString().isBlank()) {
				undescribed.add(name);
			}
			if (!rows.contains("`" + name + "`") && !rows.contains("`" + name.replaceAll("\\.[^.]+$", "") + ".*`")) {
				undocumented.add(name);
			}
		}
		assertThat(undescribed).as("properties without a Javadoc description").isEmpty();
		assertThat(undocumented).as("properties without a row in a table of docs/*.md").isEmpty();
	}

	@Test
	void perfkitsOwnManagementSwitchesAreDescribedAndDocumented() throws IOException {
		JsonNode metadata;
		try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			metadata = JsonMapper.shared().readTree(in);
		}
		String docs = readDocs();
		List<String> names = new ArrayList<>();
		for (JsonNode property : metadata.get("properties")) {
			String name = property.get("name").asString();
			if (name.startsWith("management.health.perfkit")) {
				names.add(name);
				assertThat(property.path("description").asString()).as(name).isNotBlank();
				assertThat(docs).as(name).contains("`" + name + "=false`");
			}
		}
		assertThat(names).hasSize(3);
	}

	private static String readDocs() throws IOException {
		Path docs = Path.of("..", "docs");
		assertThat(docs).isDirectory();
		StringBuilder text = new StringBuilder();
		try (Stream<Path> files = Files.list(docs)) {
			for (Path file : files.filter((path) -> path.toString().endsWith(".md")).toList()) {
				text.append(Files.readString(file)).append('\n');
			}
		}
		return text.toString();
	}

}
