package dev.perfkit.autoconfigure.query;

import dev.perfkit.query.QueryScope;
import org.hibernate.resource.jdbc.spi.StatementInspector;

/**
 * Starts each Hibernate statement with a static comment naming the application and the
 * current route or transaction, so a DBA can tell where a statement comes from. Never a
 * per-request id: the number of distinct texts stays bounded by the routes, and statement
 * caches stay intact. Fingerprints ignore comments.
 */
final class StaticCommentTag implements StatementInspector {

	private final String application;

	StaticCommentTag(String application) {
		this.application = sanitize(application);
	}

	@Override
	public String inspect(String sql) {
		String route = QueryScope.currentEntryPoint();
		return "/* application=" + this.application + ((route != null) ? ", route=" + sanitize(route) : "") + " */ "
				+ sql;
	}

	private static String sanitize(String value) {
		return value.replace("*/", "* /").replace("/*", "/ *");
	}

}
