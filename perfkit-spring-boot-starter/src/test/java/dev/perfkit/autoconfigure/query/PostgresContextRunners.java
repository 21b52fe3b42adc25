package dev.perfkit.autoconfigure.query;

import java.util.ArrayList;
import java.util.List;

import dev.perfkit.test.TestDatabase;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.ClassUtils;

/** Context runners with Boot's data source on a test database (PostgreSQL or MariaDB) and perfkit's database insight. */
final class PostgresContextRunners {

	private PostgresContextRunners() {
	}

	/**
	 * A runner with Boot's {@code DataSourceAutoConfiguration}, perfkit's and the named
	 * auto-configurations, on the given database.
	 */
	static ApplicationContextRunner of(TestDatabase database, String... autoConfigurations) {
		List<Class<?>> classes = new ArrayList<>();
		classes.add(load("org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"));
		for (String name : autoConfigurations) {
			classes.add(load(name));
		}
		classes.add(PerfkitQueryAutoConfiguration.class);
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(classes.toArray(Class<?>[]::new)))
			.withPropertyValues("spring.datasource.url=" + database.jdbcUrl(),
					"spring.datasource.username=" + database.username(),
					"spring.datasource.password=" + database.password());
	}

	private static Class<?> load(String name) {
		return ClassUtils.resolveClassName(name, PostgresContextRunners.class.getClassLoader());
	}

}
