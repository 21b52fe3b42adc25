package dev.perfkit.sample.consumer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The consumer project ({@code src/it/consumer}, run by maven-invoker-plugin) is the
 * README's Quick start made real: its {@code application.yml} is the Quick start's YAML,
 * character for character, and its code has every line the Quick start's Java shows.
 */
class ReadmeQuickStartTests {

	private static final Path README = Path.of("..", "README.md");

	private static final Path CONSUMER = Path.of("src", "it", "consumer");

	@Test
	void theConsumersApplicationYmlIsTheQuickStartsYaml() throws Exception {
		String yaml = blocks("yaml").get(0);
		String consumer = Files.readString(CONSUMER.resolve("src/main/resources/application.yml"));
		assertThat(consumer.substring(consumer.indexOf('\n') + 1)).isEqualTo(yaml);
	}

	@Test
	void theConsumersCodeHasEveryAnnotatedLineOfTheQuickStart() throws Exception {
		StringBuilder code = new StringBuilder();
		try (var files = Files.walk(CONSUMER.resolve("src/main/java"))) {
			for (Path file : files.filter((f) -> f.toString().endsWith(".java")).toList()) {
				code.append(Files.readString(file)).append('\n');
			}
		}
		String java = blocks("java").get(0);
		List<String> lines = java.lines()
			.map((line) -> line.replaceAll("//.*", "").replace("{ ... }", "").strip())
			.filter((line) -> line.startsWith("@") || line.contains("("))
			.toList();
		assertThat(lines).contains("@EnableCaching", "@Cacheable(\"pricing\")", "@RateLimit(tier = Tiers.AUTH)");
		for (String line : lines) {
			assertThat(code).as("the consumer project has the README's line").contains(line);
		}
		String xml = blocks("xml").get(0);
		assertThat(Files.readString(CONSUMER.resolve("pom.xml")))
			.contains(xml.lines().filter((line) -> line.contains("artifactId")).findFirst().orElseThrow().strip());
	}

	/** The code blocks of one language in the README's Quick start section. */
	private static List<String> blocks(String language) throws Exception {
		String readme = Files.readString(README);
		int start = readme.indexOf("## Quick start");
		String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
		Matcher matcher = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(section);
		List<String> blocks = new ArrayList<>();
		while (matcher.find()) {
			blocks.add(matcher.group(1));
		}
		assertThat(blocks).as(language + " blocks in the Quick start").isNotEmpty();
		return blocks;
	}

}
