package dev.perfkit.benchmarks.query;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.perfkit.query.Fingerprint;
import dev.perfkit.query.SqlDialect;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of fingerprinting one distinct statement (normalization and the SHA-256 of its
 * text), paid once per distinct SQL string: the per-statement path finds the fingerprint
 * in a cache. Three shapes (a short lookup, a Hibernate-style join with a static comment
 * tag, a multi-row insert with string literals) in a known dialect and in an unknown one,
 * which reads the statement under every dialect's rules. {@code lowercase} is the cost of
 * {@code String.toLowerCase} on the same text, a floor to read the others against on a
 * shared machine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NormalizationBenchmark {

	private static final String SHORT = "SELECT id, name FROM customer WHERE id = ?";

	private static final String HIBERNATE = "/* application=shop, route=OrderService.listOrders */ select po1_0.id,"
			+ "po1_0.customer_id,c1_0.id,c1_0.name,c1_0.email,po1_0.created_at,po1_0.status,po1_0.total_amount "
			+ "from purchase_order po1_0 join customer c1_0 on c1_0.id=po1_0.customer_id where po1_0.status=? "
			+ "and po1_0.created_at>=? and c1_0.email like ? order by po1_0.created_at desc, po1_0.id fetch first ? rows only";

	private static final String INSERT = "INSERT INTO audit_log (id, actor, action, detail, created_at) VALUES "
			+ "(1, 'alice', 'login', 'from 192.0.2.10 with \"remember me\"', '2026-11-29 10:00:00'), "
			+ "(2, 'bob', 'password-reset', 'token sent to bob@example.com', '2026-11-29 10:00:01'), "
			+ "(3, 'carol', 'logout', 'C:\\\\Users\\\\carol', '2026-11-29 10:00:02')";

	@Param({ "short", "hibernate", "insert" })
	public String statement;

	@Param({ "postgresql", "mysql", "unknown" })
	public String dialect;

	private String sql;

	private SqlDialect sqlDialect;

	@Setup
	public void setUp() {
		this.sql = switch (this.statement) {
			case "short" -> SHORT;
			case "hibernate" -> HIBERNATE;
			default -> INSERT;
		};
		this.sqlDialect = SqlDialect.valueOf(this.dialect.toUpperCase(Locale.ROOT));
	}

	@Benchmark
	public Fingerprint fingerprint() {
		return Fingerprint.of(this.sql, this.sqlDialect);
	}

	@Benchmark
	public String lowercase() {
		return this.sql.toLowerCase(Locale.ROOT);
	}

}
