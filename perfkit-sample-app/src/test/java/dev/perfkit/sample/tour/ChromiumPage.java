package dev.perfkit.sample.tour;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.awaitility.Awaitility.await;

/**
 * One page of Debian's headless {@code chromium}, driven over the DevTools protocol with
 * the JDK's own WebSocket client: no browser download, no driver. Tests click real
 * buttons, read the DOM as the page's script left it, and take screenshots. A missing
 * browser skips the test, except under {@code CI=true} where it fails.
 */
final class ChromiumPage implements AutoCloseable {

	private static final List<String> CANDIDATES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");

	private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://[^\\s]+)");

	private static final Duration BOUND = Duration.ofSeconds(30);

	private final Process process;

	private final WebSocket socket;

	private final AtomicInteger ids = new AtomicInteger();

	private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

	private ChromiumPage(Process process, WebSocket socket) {
		this.process = process;
		this.socket = socket;
	}

	static ChromiumPage open(Path workDirectory) throws Exception {
		Path executable = CANDIDATES.stream().map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
		if (executable == null) {
			String reason = "chromium is not installed (apt-get install chromium)";
			if ("true".equalsIgnoreCase(System.getenv("CI"))) {
				Assertions.fail(reason);
			}
			Assumptions.abort(reason);
		}
		Files.createDirectories(workDirectory);
		Path profile = Files.createTempDirectory(workDirectory, "profile-");
		Process process = new ProcessBuilder(executable.toString(), "--headless", "--no-sandbox", "--disable-gpu",
				"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
				"--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars", "--remote-debugging-port=0",
				"--user-data-dir=" + profile.toAbsolutePath(), "about:blank")
			.redirectOutput(workDirectory.resolve("chromium.out").toFile())
			.start();
		try {
			String browser = devToolsAddress(process);
			URI list = URI.create(browser.replaceFirst("^ws://([^/]+)/.*$", "http://$1/json/list"));
			HttpResponse<String> targets = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(list).build(), HttpResponse.BodyHandlers.ofString());
			String pageSocket = null;
			for (JsonNode target : JsonMapper.shared().readTree(targets.body())) {
				if ("page".equals(target.get("type").asString())) {
					pageSocket = target.get("webSocketDebuggerUrl").asString();
				}
			}
			Assertions.assertNotNull(pageSocket, "no page target in " + targets.body());
			Listener listener = new Listener();
			WebSocket socket = HttpClient.newHttpClient()
				.newWebSocketBuilder()
				.buildAsync(URI.create(pageSocket), listener)
				.get(30, TimeUnit.SECONDS);
			ChromiumPage page = new ChromiumPage(process, socket);
			listener.page = page;
			// A headless window never has the system focus: without this, :focus styles never apply.
			page.command("Emulation.setFocusEmulationEnabled", Map.of("enabled", true));
			return page;
		}
		catch (Exception | AssertionError ex) {
			process.destroyForcibly();
			throw ex;
		}
	}

	private static String devToolsAddress(Process process) throws Exception {
		CompletableFuture<String> address = CompletableFuture.supplyAsync(() -> {
			try (BufferedReader err = new BufferedReader(
					new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
				StringBuilder seen = new StringBuilder();
				for (String line = err.readLine(); line != null; line = err.readLine()) {
					Matcher matcher = LISTENING.matcher(line);
					if (matcher.find()) {
						// Keep draining stderr so chromium never blocks on a full pipe.
						Thread drain = new Thread(() -> err.lines().forEach((ignored) -> {
						}));
						drain.setDaemon(true);
						drain.start();
						return matcher.group(1);
					}
					seen.append(line).append('\n');
				}
				throw new IllegalStateException("chromium exited before listening: " + seen);
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		});
		return address.get(60, TimeUnit.SECONDS);
	}

	/** Load a page and wait until it and its subresources have loaded. */
	void navigate(String url) throws Exception {
		command("Page.navigate", Map.of("url", url));
		await("load of " + url).atMost(BOUND)
			.until(() -> "complete".equals(evaluate("location.href === " + quote(url)
					+ " ? document.readyState : 'navigating'").asString()));
	}

	/** Click the element with this id, as a user's click would (the element's own click). */
	void click(String id) throws Exception {
		JsonNode clicked = evaluate("(function () { var e = document.getElementById(" + quote(id)
				+ "); if (!e) { return false; } e.scrollIntoView(); e.focus(); e.click(); return true; })()");
		Assertions.assertTrue(clicked.asBoolean(), "no element #" + id + " to click");
	}

	/** Wait until an expression is true in the page. */
	void waitFor(String description, String expression) {
		await(description).atMost(BOUND).until(() -> evaluate("!!(" + expression + ")").asBoolean());
	}

	/** Evaluate an expression in the page, awaiting a promise, and return its value. */
	JsonNode evaluate(String expression) throws Exception {
		JsonNode result = command("Runtime.evaluate",
				Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
		if (result.has("exceptionDetails")) {
			throw new IllegalStateException(expression + " threw " + result.get("exceptionDetails"));
		}
		return result.at("/result/value");
	}

	/** The text of an attribute of the element with this id, or {@code null}. */
	String attribute(String id, String name) throws Exception {
		JsonNode value = evaluate("(function () { var e = document.getElementById(" + quote(id)
				+ "); return e ? e.getAttribute(" + quote(name) + ") : null; })()");
		return value.isNull() || value.isMissingNode() ? null : value.asString();
	}

	/** The visible text of the element with this id. */
	String text(String id) throws Exception {
		return evaluate("document.getElementById(" + quote(id) + ").innerText").asString();
	}

	/** Save a screenshot of the whole page, 1280 pixels wide, as PNG. */
	void screenshot(Path file) throws Exception {
		// Lay the page out at the screenshot's width first: its height depends on it.
		command("Emulation.setDeviceMetricsOverride",
				Map.of("width", 1280, "height", 800, "deviceScaleFactor", 1, "mobile", false));
		int height = evaluate("Math.ceil(document.documentElement.scrollHeight)").asInt();
		command("Emulation.setDeviceMetricsOverride",
				Map.of("width", 1280, "height", Math.max(600, height), "deviceScaleFactor", 1, "mobile", false));
		JsonNode shot = command("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
		Files.createDirectories(file.toAbsolutePath().getParent());
		Files.write(file, Base64.getDecoder().decode(shot.get("data").asString()));
		command("Emulation.clearDeviceMetricsOverride", Map.of());
		Assertions.assertTrue(Files.size(file) > 0, "the screenshot " + file + " is empty");
	}

	private JsonNode command(String method, Map<String, Object> params) throws Exception {
		int id = this.ids.incrementAndGet();
		CompletableFuture<JsonNode> answer = new CompletableFuture<>();
		this.pending.put(id, answer);
		String message = JsonMapper.shared().writeValueAsString(Map.of("id", id, "method", method, "params", params));
		this.socket.sendText(message, true).get(30, TimeUnit.SECONDS);
		JsonNode response = answer.get(60, TimeUnit.SECONDS);
		if (response.has("error")) {
			throw new IllegalStateException(method + " failed: " + response.get("error"));
		}
		return response.get("result");
	}

	private void received(String message) {
		JsonNode node = JsonMapper.shared().readTree(message);
		if (node.has("id")) {
			CompletableFuture<JsonNode> answer = this.pending.remove(node.get("id").asInt());
			if (answer != null) {
				answer.complete(node);
			}
		}
	}

	private static String quote(String text) {
		return JsonMapper.shared().writeValueAsString(text);
	}

	@Override
	public void close() throws Exception {
		try {
			this.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			// The browser goes anyway.
		}
		finally {
			this.process.descendants().forEach(ProcessHandle::destroyForcibly);
			this.process.destroyForcibly();
			this.process.waitFor(30, TimeUnit.SECONDS);
		}
	}

	private static final class Listener implements WebSocket.Listener {

		private final List<CharSequence> parts = new ArrayList<>();

		private volatile ChromiumPage page;

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.parts.add(data.toString());
			if (last) {
				String message = String.join("", this.parts);
				this.parts.clear();
				this.page.received(message);
			}
			webSocket.request(1);
			return null;
		}

	}

}
