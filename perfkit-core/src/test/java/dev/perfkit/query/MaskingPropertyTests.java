package dev.perfkit.query;

import java.lang.reflect.Method;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import net.ttddyy.dsproxy.QueryInfo;
import net.ttddyy.dsproxy.proxy.ParameterSetOperation;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Property tests of the masking guarantee: statements generated per dialect, with secret
 * literals in every quoting form of the dialect (payloads full of quotes, backslashes,
 * comment markers, dollar signs and line breaks), comments (nested where the dialect nests
 * them, MySQL's {@code #} and executable comments), and odd whitespace. For each: no secret
 * survives normalization, the fingerprint does not depend on the literal values, and
 * normalization never throws. Redaction by column name is checked against generated
 * {@code INSERT} (multi-row {@code VALUES}) and {@code UPDATE} shapes.
 * <p>
 * Each dialect gets {@code perfkit.test.fuzz.tries} statements (default 2,000) from one
 * seed, printed with every failure; rerun one with {@code -Dperfkit.test.fuzz.seed=...}.
 */
class MaskingPropertyTests {

	private static final long SEED = Long.getLong("perfkit.test.fuzz.seed", new Random().nextLong());

	private static final int TRIES = Integer.getInteger("perfkit.test.fuzz.tries", 2_000);

	private static final String[] NASTY = { "'", "''", "\"", "\"\"", "`", "\\", "\\\\", "\\'", "--", "-- ", "/*", "*/",
			"#", "$", "$$", "$x$", "?", "\n", "\r", "\r\n", ";", "]", "]'", ")", "}", ">", "q'", "E'", " ", "//", "0x",
			"/*!", "%", "_", "é", "\u00a0", "\t" };

	private static final String[] WHITESPACE = { " ", "  ", "\t", "\n", "\r\n", "\f", " \t ", "\n\n" };

	private static final String[] PLAIN_IDENTIFIERS = { "users", "u", "name", "email", "col1", "t2", "orders", "_x",
			"Total_Amount", "v$session" };

	@TestFactory
	Stream<DynamicTest> noSecretSurvivesNormalization() {
		return dialects().map((dialect) -> DynamicTest.dynamicTest(dialect.name(), () -> {
			Random random = new Random(SEED ^ dialect.ordinal());
			for (int i = 0; i < TRIES; i++) {
				Statement statement = new Generator(dialect, random, false).statement();
				String normalized = normalize(statement.sql(), dialect);
				String lower = normalized.toLowerCase(Locale.ROOT);
				for (String secret : statement.secrets()) {
					if (lower.contains(secret.toLowerCase(Locale.ROOT))) {
						fail("%s (seed %d, try %d): secret '%s' survived in%n  %s%nfrom%n  %s", dialect, SEED, i,
								secret, normalized, printable(statement.sql()));
					}
				}
			}
		}));
	}

	@TestFactory
	Stream<DynamicTest> theFingerprintDoesNotDependOnLiteralValues() {
		return dialects().map((dialect) -> DynamicTest.dynamicTest(dialect.name(), () -> {
			Random random = new Random(SEED ^ (31L * dialect.ordinal() + 7));
			for (int i = 0; i < TRIES; i++) {
				long shape = random.nextLong();
				// An unknown dialect can only promise this for values without quoting characters.
				boolean plain = dialect == SqlDialect.UNKNOWN;
				Statement one = new Generator(dialect, new Random(shape), plain).withValues(random.nextLong()).statement();
				Statement two = new Generator(dialect, new Random(shape), plain).withValues(random.nextLong()).statement();
				String first = normalize(one.sql(), dialect);
				String second = normalize(two.sql(), dialect);
				if (!first.equals(second)) {
					fail("%s (seed %d, try %d): fingerprints differ%n  %s%n  %s%nfrom%n  %s%n  %s", dialect, SEED, i,
							first, second, printable(one.sql()), printable(two.sql()));
				}
			}
		}));
	}

	@TestFactory
	Stream<DynamicTest> normalizationNeverThrowsOnArbitraryText() {
		return dialects().map((dialect) -> DynamicTest.dynamicTest(dialect.name(), () -> {
			Random random = new Random(SEED ^ (17L * dialect.ordinal() + 3));
			for (int i = 0; i < TRIES; i++) {
				StringBuilder text = new StringBuilder();
				int parts = random.nextInt(12);
				for (int p = 0; p < parts; p++) {
					text.append(random.nextBoolean() ? pick(random, NASTY) : pick(random, PLAIN_IDENTIFIERS));
					if (random.nextInt(4) == 0) {
						text.append((char) random.nextInt(0x3000));
					}
				}
				normalize(text.toString(), dialect);
				SlowQueryLog.placeholderColumns(text.toString(), dialect);
			}
		}));
	}

	@TestFactory
	Stream<DynamicTest> valuesBoundToRedactedColumnsNeverReachTheLog() {
		return dialects().map((dialect) -> DynamicTest.dynamicTest(dialect.name(), () -> {
			Random random = new Random(SEED ^ (13L * dialect.ordinal() + 5));
			SlowQueryLog log = new SlowQueryLog(
					QuerySettings.defaults().withParameterLogging(Set.of("password", "token"), 200));
			for (int i = 0; i < TRIES; i++) {
				Generator generator = new Generator(dialect, random, false);
				Write write = random.nextBoolean() ? generator.insert() : generator.update();
				String[] columns = SlowQueryLog.placeholderColumns(write.sql(), dialect);
				if (columns != null || generator.dialect == dialect) {
					// Only a reading that disagrees with another may give no mapping (and then hides every value).
					assertThat(columns).as("%s (seed %d, try %d): %s", dialect, SEED, i, printable(write.sql()))
						.containsExactly(write.columns().toArray(String[]::new));
				}
				QueryInfo query = new QueryInfo(write.sql());
				List<String> secrets = new ArrayList<>();
				for (int set = 0; set < 1 + random.nextInt(2); set++) {
					List<ParameterSetOperation> operations = new ArrayList<>();
					for (int p = 0; p < write.columns().size(); p++) {
						String column = write.columns().get(p);
						String value = (column != null && (column.equals("password") || column.equals("token")))
								? "Secret" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36)
								: "visible" + p;
						if (!value.startsWith("visible")) {
							secrets.add(value);
						}
						operations.add(new ParameterSetOperation(SET_STRING, new Object[] { p + 1, value }));
					}
					query.getParametersList().add(operations);
				}
				String parameters = log.parameters(query, dialect);
				for (String secret : secrets) {
					assertThat(parameters).as("%s (seed %d, try %d): %s", dialect, SEED, i, printable(write.sql()))
						.doesNotContain(secret);
				}
			}
		}));
	}

	private static final Method SET_STRING;

	static {
		try {
			SET_STRING = PreparedStatement.class.getMethod("setString", int.class, String.class);
		}
		catch (NoSuchMethodException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Stream<SqlDialect> dialects() {
		return Stream.of(SqlDialect.values());
	}

	private static String normalize(String sql, SqlDialect dialect) {
		try {
			return Fingerprint.of(sql, dialect).sql();
		}
		catch (RuntimeException ex) {
			throw new AssertionError(dialect + " (seed " + SEED + ") threw on " + printable(sql), ex);
		}
	}

	private static String printable(String sql) {
		return sql.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t").replace("\f", "\\f");
	}

	private static String pick(Random random, String[] choices) {
		return choices[random.nextInt(choices.length)];
	}

	record Statement(String sql, List<String> secrets) {
	}

	record Write(String sql, List<String> columns) {
	}

	/**
	 * Generates statements of one dialect. The shape (keywords, identifiers, comments,
	 * whitespace, which literal forms) comes from one random source and the literal values
	 * from another, so two generators with the same shape seed and different value seeds
	 * produce statements that differ only in their literal values.
	 */
	static final class Generator {

		/** The dialect the statement is written in: a concrete one, also when it is read as unknown. */
		private final SqlDialect dialect;

		private final Random shape;

		private Random values;

		private final boolean plain;

		private final List<String> secrets = new ArrayList<>();

		Generator(SqlDialect dialect, Random shape, boolean plain) {
			SqlDialect[] concrete = { SqlDialect.POSTGRESQL, SqlDialect.MYSQL, SqlDialect.H2, SqlDialect.SQL_SERVER,
					SqlDialect.ORACLE };
			this.dialect = (dialect != SqlDialect.UNKNOWN) ? dialect : concrete[shape.nextInt(concrete.length)];
			this.shape = shape;
			this.values = shape;
			this.plain = plain;
		}

		Generator withValues(long seed) {
			this.values = new Random(seed);
			return this;
		}

		Statement statement() {
			StringBuilder sql = new StringBuilder();
			maybeComment(sql);
			sql.append(this.shape.nextBoolean() ? "SELECT" : "select");
			int items = 1 + this.shape.nextInt(5);
			for (int i = 0; i < items; i++) {
				sql.append((i == 0) ? space() : "," + space());
				maybeComment(sql);
				if (this.shape.nextInt(3) == 0) {
					sql.append(identifier());
				}
				else {
					sql.append(literal());
				}
				if (this.shape.nextBoolean()) {
					sql.append(space()).append("as").append(space()).append(identifier());
				}
			}
			sql.append(space()).append("from").append(space()).append(identifier());
			maybeComment(sql);
			if (this.shape.nextBoolean()) {
				sql.append(space()).append("where").append(space()).append(identifier()).append(space()).append("=");
				sql.append(this.shape.nextBoolean() ? space() : "");
				sql.append(literal());
				maybeComment(sql);
				sql.append(space()).append("and").append(space()).append(identifier()).append(" in (");
				int n = 1 + this.shape.nextInt(3);
				for (int i = 0; i < n; i++) {
					sql.append((i > 0) ? ", " : "").append(literal());
				}
				sql.append(")");
			}
			if (this.shape.nextInt(4) == 0) {
				sql.append(space());
				lineComment(sql, false);
			}
			return new Statement(sql.toString(), List.copyOf(this.secrets));
		}

		/** An INSERT with a column list and one or more VALUES rows, plus the column of each {@code ?}. */
		Write insert() {
			List<String> columns = new ArrayList<>();
			int count = 1 + this.shape.nextInt(5);
			for (int i = 0; i < count; i++) {
				columns.add(switch (this.shape.nextInt(6)) {
					case 0 -> "password";
					case 1 -> "token";
					default -> "c" + i;
				});
			}
			StringBuilder sql = new StringBuilder("insert into ").append(identifier()).append(" (");
			for (int i = 0; i < count; i++) {
				sql.append((i > 0) ? "," + space() : "").append(quotedColumn(columns.get(i)));
			}
			sql.append(")").append(space()).append(this.shape.nextBoolean() ? "VALUES" : "values").append(space());
			List<String> expected = new ArrayList<>();
			int rows = 1 + this.shape.nextInt(4);
			for (int r = 0; r < rows; r++) {
				sql.append((r > 0) ? "," + space() : "").append("(");
				for (int i = 0; i < count; i++) {
					sql.append((i > 0) ? "," + space() : "");
					switch (this.shape.nextInt(4)) {
						case 0 -> sql.append(value());
						case 1 -> {
							sql.append("lower(?)");
							expected.add(columns.get(i));
						}
						default -> {
							sql.append("?");
							expected.add(columns.get(i));
						}
					}
				}
				sql.append(")");
			}
			if (this.shape.nextBoolean()) {
				String tail = (this.dialect == SqlDialect.MYSQL) ? " on duplicate key update password = ?"
						: " on conflict (c0) do update set password = ?";
				sql.append(tail);
				expected.add("password");
			}
			return new Write(sql.toString(), expected);
		}

		/** An UPDATE assigning and comparing columns, plus the column of each {@code ?}. */
		Write update() {
			StringBuilder sql = new StringBuilder("update ").append(identifier()).append(" set ");
			List<String> expected = new ArrayList<>();
			int count = 1 + this.shape.nextInt(4);
			for (int i = 0; i < count; i++) {
				String column = (this.shape.nextInt(3) == 0) ? "password" : "c" + i;
				sql.append((i > 0) ? "," + space() : "").append(quotedColumn(column)).append(space()).append("=");
				sql.append(space());
				if (this.shape.nextInt(3) == 0) {
					sql.append(value());
				}
				else {
					sql.append(this.shape.nextBoolean() ? "?" : "crypt(?, 'bf')");
					expected.add(column);
				}
			}
			sql.append(" where ").append(quotedColumn("token")).append(" = ? and note = ").append(value());
			expected.add("token");
			return new Write(sql.toString(), expected);
		}

		private String quotedColumn(String name) {
			return switch (this.shape.nextInt(3)) {
				case 0 -> switch (this.dialect) {
					case MYSQL -> "`" + name + "`";
					case SQL_SERVER -> "[" + name + "]";
					case POSTGRESQL, H2, ORACLE, UNKNOWN -> "\"" + name + "\"";
				};
				case 1 -> "t." + name;
				default -> name;
			};
		}

		private String identifier() {
			String name = PLAIN_IDENTIFIERS[this.shape.nextInt(PLAIN_IDENTIFIERS.length)];
			if (this.shape.nextInt(4) != 0) {
				return name;
			}
			return switch (this.dialect) {
				case POSTGRESQL, ORACLE -> "\"" + name.replace("\"", "\"\"") + "\"";
				case MYSQL -> "`" + name + "`";
				case H2 -> this.shape.nextBoolean() ? "\"" + name + "\"" : "`" + name + "`";
				case SQL_SERVER, UNKNOWN -> this.shape.nextBoolean() ? "[" + name + "]" : "\"" + name + "\"";
			};
		}

		private String space() {
			return WHITESPACE[this.shape.nextInt(WHITESPACE.length)];
		}

		private void maybeComment(StringBuilder sql) {
			if (this.shape.nextInt(4) != 0) {
				return;
			}
			if (this.shape.nextBoolean()) {
				blockComment(sql);
				sql.append(space());
			}
			else {
				lineComment(sql, true);
			}
		}

		private void blockComment(StringBuilder sql) {
			if (this.dialect == SqlDialect.MYSQL && this.shape.nextInt(3) == 0) {
				// An executable comment: its content is code, with a literal in it.
				sql.append("/*!50000 ").append(literal()).append(" */");
				return;
			}
			sql.append("/*").append(commentText());
			boolean nests = this.dialect == SqlDialect.POSTGRESQL || this.dialect == SqlDialect.H2
					|| this.dialect == SqlDialect.SQL_SERVER;
			if (nests && this.shape.nextBoolean()) {
				sql.append("/* ").append(commentText()).append(" */");
				sql.append(commentText());
			}
			sql.append("*/");
		}

		private void lineComment(StringBuilder sql, boolean newline) {
			String start = "-- ";
			if (this.dialect == SqlDialect.MYSQL && this.shape.nextBoolean()) {
				start = "#";
			}
			else if (this.dialect == SqlDialect.H2 && this.shape.nextBoolean()) {
				start = "//";
			}
			else if (this.dialect != SqlDialect.MYSQL && this.shape.nextBoolean()) {
				start = "--";
			}
			sql.append(start).append(commentText().replace("\n", " ").replace("\r", " "));
			if (newline) {
				sql.append(this.shape.nextBoolean() ? "\n" : "\r\n");
			}
		}

		/** Comment text: quotes (unless plain), a secret, never a comment end. */
		private String commentText() {
			StringBuilder text = new StringBuilder(" ");
			int n = this.shape.nextInt(4);
			String[] parts = this.plain ? new String[] { "password=", secret(), " x " }
					: new String[] { "'", "\"", "password='", secret(), "$$", "\\", "`", " x " };
			for (int i = 0; i < n; i++) {
				text.append(pick(this.shape, parts));
			}
			return text.append(' ').toString().replace("*/", "* /").replace("/*", "/ *");
		}

		private String secret() {
			String secret = "Zq" + Long.toString(this.values.nextLong() & Long.MAX_VALUE, 36);
			this.secrets.add(secret);
			return secret;
		}

		/** A payload for a literal: the secret among characters that confuse lexers. */
		private String payload() {
			StringBuilder payload = new StringBuilder();
			int before = this.values.nextInt(4);
			for (int i = 0; i < before; i++) {
				payload.append(this.plain ? " " : pick(this.values, NASTY));
			}
			payload.append(secret());
			int after = this.values.nextInt(4);
			for (int i = 0; i < after; i++) {
				payload.append(this.plain ? "." : pick(this.values, NASTY));
			}
			return payload.toString();
		}

		/** A literal, never a placeholder. */
		private String value() {
			String value;
			do {
				value = literal();
			}
			while (value.equals("?"));
			return value;
		}

		/** A literal in one of the dialect's quoting forms, properly escaped, or a placeholder. */
		private String literal() {
			List<String> forms = forms();
			String form = forms.get(this.shape.nextInt(forms.size()));
			return switch (form) {
				case "standard" -> "'" + payload().replace("'", "''") + "'";
				case "mysql-single" -> "'" + mysqlEscape(payload(), '\'') + "'";
				case "mysql-double" -> "\"" + mysqlEscape(payload(), '"') + "\"";
				case "mysql-national" -> "N'" + mysqlEscape(payload(), '\'') + "'";
				case "escape" -> "E'" + payload().replace("\\", "\\\\").replace("'", "\\'") + "'";
				case "national" -> "N'" + payload().replace("'", "''") + "'";
				case "unicode" -> "U&'" + payload().replace("\\", "\\\\").replace("'", "''") + "'";
				case "dollar" -> "$$" + payload().replace("$", "") + "$$";
				case "dollar-tag" -> "$tag$" + payload().replace("$", "") + "$tag$";
				case "oracle-q" -> "q'[" + payload().replace("]", "") + "]'";
				case "oracle-nq" -> "nQ'{" + payload().replace("}", "") + "}'";
				case "hex-string" -> "X'" + hexSecret() + "'";
				case "bit-string" -> "B'" + bits() + "'";
				case "hex-number" -> "0x" + hexSecret();
				case "number" -> number();
				case "parameter" -> "?";
				default -> throw new IllegalStateException(form);
			};
		}

		private List<String> forms() {
			return switch (this.dialect) {
				case POSTGRESQL -> List.of("standard", "escape", "national", "unicode", "dollar", "dollar-tag", "hex-string",
						"bit-string", "number", "parameter");
				case MYSQL -> List.of("mysql-single", "mysql-double", "mysql-national", "hex-string", "bit-string",
						"hex-number", "number", "parameter");
				case H2 -> List.of("standard", "national", "unicode", "dollar", "hex-string", "hex-number", "number",
						"parameter");
				case SQL_SERVER -> List.of("standard", "national", "hex-number", "number", "parameter");
				case ORACLE -> List.of("standard", "national", "oracle-q", "oracle-nq", "number", "parameter");
				case UNKNOWN -> throw new IllegalStateException("statements are written in a concrete dialect");
			};
		}

		private static String mysqlEscape(String payload, char quote) {
			String escaped = payload.replace("\\", "\\\\");
			return escaped.replace(String.valueOf(quote), "\\" + quote);
		}

		private String hexSecret() {
			String secret = "deadbeef" + Long.toHexString(this.values.nextLong() | 1L << 60);
			this.secrets.add(secret);
			return secret;
		}

		private String bits() {
			StringBuilder bits = new StringBuilder("1");
			for (int i = 0; i < 40; i++) {
				bits.append(this.values.nextBoolean() ? '1' : '0');
			}
			this.secrets.add(bits.toString());
			return bits.toString();
		}

		private String number() {
			String digits = Long.toString(100_000_000_000L + (this.values.nextLong() & 0xffffffffffL));
			this.secrets.add(digits);
			return switch (this.shape.nextInt(3)) {
				case 0 -> digits;
				case 1 -> digits + ".5";
				default -> digits + "e-3";
			};
		}

	}

}
