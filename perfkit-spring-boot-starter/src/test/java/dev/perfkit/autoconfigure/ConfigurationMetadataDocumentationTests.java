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
 * description and appears, by its full name, somewhere in {@code docs/}.
 */
class ConfigurationMetadataDocumentationTests {

	@Test
	void everyPropertyIsDescribedAndDocumented() throws IOException {
		JsonNode metadata;
		try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(in).as("generated configuration metadata").isNotNull();
			metadata = JsonMapper.shared().readTree(in);
		}
		String docs = readDocs();
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
			if (!docs.contains("`" + name + "`") && !docs.contains("`" + name.replaceAll("\\.[^.]+$", "") + ".*`")) {
				undocumented.add(name);
			}
		}
		assertThat(undescribed).as("properties without a Javadoc description").isEmpty();
		assertThat(undocumented).as("properties missing from docs/*.md").isEmpty();
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
