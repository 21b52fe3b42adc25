package dev.perfkit.autoconfigure.observability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * A plain HTTP client against a running test application.
 */
final class Http {

	private static final HttpClient client = HttpClient.newHttpClient();

	private final String base;

	private final String authorization;

	Http(ConfigurableApplicationContext context) {
		this(context, "ops:secret");
	}

	private Http(ConfigurableApplicationContext context, String credentials) {
		this.base = "http://localhost:" + context.getEnvironment().getProperty("local.server.port");
		this.authorization = (credentials != null)
				? "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)) : null;
	}

	static Http anonymous(ConfigurableApplicationContext context) {
		return new Http(context, null);
	}

	HttpResponse<String> get(String path) {
		return send(request(path).build());
	}

	HttpResponse<String> delete(String path) {
		return send(request(path).DELETE().build());
	}

	private HttpRequest.Builder request(String path) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.base + path));
		return (this.authorization != null) ? request.header("Authorization", this.authorization) : request;
	}

	String url(String path) {
		return this.base + path;
	}

	private static HttpResponse<String> send(HttpRequest request) {
		try {
			return client.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
