package dev.perfkit.benchmarks.query;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.perfkit.query.QueryInsight;
import dev.perfkit.query.QueryScope;
import dev.perfkit.query.QuerySettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.ttddyy.dsproxy.support.ProxyDataSourceBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Per-statement cost of perfkit's query insight against the stock alternatives, in one
 * run: raw HikariCP, HikariCP behind bare datasource-proxy (no listener), and HikariCP
 * behind perfkit with statistics and meters on (outside and inside an N+1 scope). The
 * database is H2 in memory, so that the statement itself costs about a microsecond and
 * the wrappers' overhead is visible. One statement per invocation on a held connection:
 * prepare, bind, execute, read, close.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class QueryOverheadBenchmark {

	@Param({ "hikari", "datasource-proxy", "perfkit", "perfkit-in-scope" })
	public String mode;

	private HikariDataSource pool;

	private Connection connection;

	private QueryScope scope;

	private int id;

	@Setup(Level.Trial)
	public void setUp() throws SQLException {
		this.pool = new HikariDataSource();
		this.pool.setJdbcUrl("jdbc:h2:mem:perfkit-bench;DB_CLOSE_DELAY=-1");
		this.pool.setUsername("sa");
		this.pool.setMaximumPoolSize(2);
		DataSource dataSource = switch (this.mode) {
			case "hikari" -> this.pool;
			case "datasource-proxy" -> ProxyDataSourceBuilder.create(this.pool).name("bench").build();
			default -> new QueryInsight(QuerySettings.defaults(), new SimpleMeterRegistry()).wrap(this.pool, "bench");
		};
		this.connection = dataSource.getConnection();
		if (this.mode.equals("perfkit-in-scope")) {
			this.scope = QueryScope.open("bench");
		}
	}

	@TearDown(Level.Trial)
	public void tearDown() throws SQLException {
		if (this.scope != null) {
			this.scope.close();
		}
		this.connection.close();
		this.pool.close();
	}

	@Benchmark
	public int statement() throws SQLException {
		try (PreparedStatement statement = this.connection.prepareStatement("SELECT ? + 1")) {
			// The same few parameter values, so that the in-scope variant never reports an N+1.
			statement.setInt(1, (this.id++) & 3);
			try (ResultSet resultSet = statement.executeQuery()) {
				resultSet.next();
				return resultSet.getInt(1);
			}
		}
	}

}
