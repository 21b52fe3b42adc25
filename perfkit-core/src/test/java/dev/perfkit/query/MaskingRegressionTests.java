package dev.perfkit.query;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The statements that put secrets into the slow-query log before the normalizer knew
 * dialects (issue 16), one test each.
 */
class MaskingRegressionTests {

	@Test
	void aBackslashEndingAPostgresqlStringDoesNotUnmaskTheNextString() {
		assertThat(Fingerprint.of("select 'C:\\' as p, 'hunter2' as pw", SqlDialect.POSTGRESQL).sql())
			.isEqualTo("select ? as p, ? as pw");
		assertThat(Fingerprint.of("select * from files where path = 'C:\\' and pw = 'hunter2'", SqlDialect.POSTGRESQL)
			.sql()).isEqualTo("select * from files where path = ? and pw = ?");
	}

	@Test
	void aBackslashEndingAnH2OrSqlServerStringDoesNotUnmaskTheNextString() {
		for (SqlDialect dialect : new SqlDialect[] { SqlDialect.H2, SqlDialect.SQL_SERVER, SqlDialect.ORACLE }) {
			assertThat(Fingerprint.of("select * from files where path = 'C:\\' and pw = 'hunter2'", dialect).sql())
				.as(dialect.name())
				.isEqualTo("select * from files where path = ? and pw = ?");
		}
	}

	@Test
	void aBackslashEscapedQuoteStaysInsideAMysqlString() {
		assertThat(Fingerprint.of("select 'it\\'s', 'hunter2'", SqlDialect.MYSQL).sql()).isEqualTo("select ?, ?");
	}

	@Test
	void dollarQuotedPostgresqlStringsAreMasked() {
		assertThat(Fingerprint.of("select $$secret$$ as s, $tag$more $$ secret$tag$ as t", SqlDialect.POSTGRESQL).sql())
			.isEqualTo("select ? as s, ? as t");
		assertThat(Fingerprint.of("select $$secret$$", SqlDialect.H2).sql()).isEqualTo("select ?");
	}

	@Test
	void doubleQuotedMysqlStringsAreMasked() {
		assertThat(Fingerprint.of("select \"secret@example.com\" as e, sleep(0.25)", SqlDialect.MYSQL).sql())
			.isEqualTo("select ? as e, sleep(?)");
	}

	@Test
	void doubleQuotedPostgresqlIdentifiersKeepTheirText() {
		assertThat(Fingerprint.of("SELECT \"Name\" FROM \"Users\" WHERE a = 'x'", SqlDialect.POSTGRESQL).sql())
			.isEqualTo("select \"Name\" from \"Users\" where a = ?");
	}

	@Test
	void prefixedHexAndBinaryLiteralsAreMaskedWhole() {
		assertThat(Fingerprint.of("select 0xDEADBEEF, X'CAFE', B'1010', N'naïve', 0b1010", SqlDialect.MYSQL).sql())
			.isEqualTo("select ?, ?, ?, ?, ?");
		assertThat(Fingerprint.of("select E'it\\'s secret', X'CAFE', B'1010', N'x', U&'d\\0061t'", SqlDialect.POSTGRESQL)
			.sql()).isEqualTo("select ?, ?, ?, ?, ?");
		assertThat(Fingerprint.of("select N'secret', 0xDEADBEEF", SqlDialect.SQL_SERVER).sql()).isEqualTo("select ?, ?");
		assertThat(Fingerprint.of("select q'[it's secret]', nq'{x'y}' from dual", SqlDialect.ORACLE).sql())
			.isEqualTo("select ?, ? from dual");
	}

	@Test
	void mysqlCommentsFollowMysqlRules() {
		assertThat(Fingerprint.of("select a # 'not a string\nfrom t", SqlDialect.MYSQL).sql()).isEqualTo("select a from t");
		// "--" without a space is two minus signs in MySQL: the string after it is a string.
		assertThat(Fingerprint.of("select 2--'\n', 'hunter2'", SqlDialect.MYSQL).sql()).doesNotContain("hunter2");
		// An executable comment is code: its strings are strings.
		assertThat(Fingerprint.of("select /*!50000 'x*/y', */ 'hunter2'", SqlDialect.MYSQL).sql())
			.doesNotContain("hunter2")
			.doesNotContain("y");
		assertThat(Fingerprint.of("select /*M!100000 \"x*/y\", */ 'hunter2'", SqlDialect.MYSQL).sql())
			.isEqualTo("select ?, ?");
	}

	@Test
	void nestedCommentsFollowTheDialect() {
		// PostgreSQL nests: the whole thing is one comment.
		assertThat(Fingerprint.of("select /* a /* b */ 'c */ , 'hunter2' -- ' */ 1", SqlDialect.POSTGRESQL).sql())
			.doesNotContain("hunter2");
		// MySQL does not: the comment ends at the first */, then a string follows.
		assertThat(Fingerprint.of("select /* a /* b */ 'c */ , hunter2 , ' from t", SqlDialect.MYSQL).sql())
			.doesNotContain("hunter2");
	}

	@Test
	void anUnknownDialectMasksAnythingThatCouldBeAString() {
		String[] hostile = { "select 'C:\\' as p, 'hunter2' as pw", "select 'it\\'s', 'hunter2'",
				"select \"hunter2\" as e", "select $$hunter2$$", "select q'[hunter2]' from dual",
				"select /* a /* b */ 'c */ , hunter2 , ' from t", "select 2--'\n', 'hunter2'" };
		for (String sql : hostile) {
			assertThat(Fingerprint.of(sql).sql()).as(sql).doesNotContain("hunter2");
		}
	}

	@Test
	void insertValuesRedactByTheColumnOfEachValueInEveryRow() {
		assertThat(SlowQueryLog.placeholderColumns("insert into users (name, password, role) values ('admin', ?, ?)",
				SqlDialect.POSTGRESQL))
			.containsExactly("password", "role");
		assertThat(SlowQueryLog.placeholderColumns(
				"insert into users (name, password) values (?, ?), (?, ?), ('x', ?)", SqlDialect.POSTGRESQL))
			.containsExactly("name", "password", "name", "password", "password");
	}

	@Test
	void insertValuesWithoutAColumnListAreNeverShownAndQuotedTableNamesAreRead() {
		assertThat(SlowQueryLog.placeholderColumns("insert into users values (?, ?)", SqlDialect.POSTGRESQL))
			.containsExactly(SlowQueryLog.UNNAMED_COLUMN, SlowQueryLog.UNNAMED_COLUMN);
		assertThat(SlowQueryLog.placeholderColumns("insert into \"app users\" (name, password) values (?, ?)",
				SqlDialect.POSTGRESQL))
			.containsExactly("name", "password");
		assertThat(SlowQueryLog.placeholderColumns("insert into [dbo].[users] ([name], [password]) values (?, ?)",
				SqlDialect.SQL_SERVER))
			.containsExactly("name", "password");
	}

	@Test
	void aQuestionMarkInsideAStringIsNotAPlaceholder() {
		assertThat(SlowQueryLog.placeholderColumns("select * from users where note = 'why?' and password = ?",
				SqlDialect.MYSQL))
			.containsExactly("password");
	}

}
