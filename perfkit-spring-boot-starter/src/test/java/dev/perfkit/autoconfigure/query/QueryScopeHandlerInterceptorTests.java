package dev.perfkit.autoconfigure.query;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.perfkit.query.QueryInsight;
import dev.perfkit.query.QueryScope;
import dev.perfkit.query.QuerySettings;
import dev.perfkit.test.TestDatabase;
import dev.perfkit.test.TestPostgres;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.servlet.HandlerMapping;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request scope of N+1 detection: closed on the request thread when the request goes
 * asynchronous, so the pooled thread carries no scope into its next request, and the
 * completion that follows on another thread closes nothing twice.
 */
class QueryScopeHandlerInterceptorTests {

	private final QueryScopeHandlerInterceptor interceptor = new QueryScopeHandlerInterceptor();

	@Test
	void anAsyncRequestClosesItsScopeWhenConcurrentHandlingStartsAndReportsWhatRanBefore() throws Exception {
		TestDatabase database = TestPostgres.get();
		try (HikariDataSource pool = new HikariDataSource()) {
			pool.setJdbcUrl(database.jdbcUrl());
			pool.setUsername(database.username());
			pool.setPassword(database.password());
			pool.setMaximumPoolSize(1);
			QueryInsight insight = new QueryInsight(QuerySettings.defaults(), null);
			DataSource dataSource = insight.wrap(pool, "dataSource");
			MockHttpServletRequest request = new MockHttpServletRequest("GET", "/orders/42");
			request.setAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE, "/orders/{id}");
			MockHttpServletResponse response = new MockHttpServletResponse();
			this.interceptor.preHandle(request, response, new Object());
			assertThat(QueryScope.currentEntryPoint()).isEqualTo("GET /orders/{id}");
			selectEachNumber(dataSource, 6);
			this.interceptor.afterConcurrentHandlingStarted(request, response, new Object());
			assertThat(QueryScope.currentEntryPoint()).as("the request thread goes back to its pool").isNull();
			assertThat(insight.snapshot().nPlusOneSuspects()).singleElement()
				.satisfies((suspect) -> assertThat(suspect.entryPoint()).isEqualTo("GET /orders/{id}"));
			// The async dispatch completes on another thread: nothing is closed twice, nothing leaks there.
			CompletableFuture.runAsync(() -> {
				this.interceptor.afterCompletion(request, response, new Object(), null);
				assertThat(QueryScope.currentEntryPoint()).isNull();
			}).get();
			assertThat(insight.snapshot().nPlusOneSuspects()).singleElement()
				.satisfies((suspect) -> assertThat(suspect.occurrences()).isEqualTo(1));
		}
	}

	@Test
	void aSynchronousRequestClosesItsScopeOnCompletion() throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", "/things");
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.interceptor.preHandle(request, response, new Object());
		assertThat(QueryScope.currentEntryPoint()).isEqualTo("POST (unmapped)");
		this.interceptor.afterCompletion(request, response, new Object(), null);
		assertThat(QueryScope.currentEntryPoint()).isNull();
	}

	private static void selectEachNumber(DataSource dataSource, int count) throws SQLException {
		try (Connection connection = dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement("SELECT ? + 1")) {
			for (int i = 1; i <= count; i++) {
				statement.setInt(1, i);
				statement.executeQuery().close();
			}
		}
	}

}
