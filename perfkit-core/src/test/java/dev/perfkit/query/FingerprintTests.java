package dev.perfkit.query;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FingerprintTests {

	@Test
	void inListsOfDifferentLengthShareOneFingerprint() {
		assertThat(Fingerprint.of("SELECT * FROM orders WHERE id IN (?,?)"))
			.isEqualTo(Fingerprint.of("select *  from orders where id in (?, ?, ?, ?)"));
	}

	@Test
	void literalsBecomePlaceholders() {
		assertThat(Fingerprint.of("select * from t where name = 'O''Brien' and age > 42 and x = $1").sql())
			.isEqualTo("select * from t where name = ? and age > ? and x = ?");
	}

	@Test
	void commentsAndWhitespaceGo() {
		assertThat(Fingerprint.of("/* app=shop route=GET /x */ select a,\n  b -- trailing\n from t").sql())
			.isEqualTo("select a, b from t");
	}

	@Test
	void digitsInsideIdentifiersStay() {
		assertThat(Fingerprint.of("select col1 from table2 t3 where t3.c4 = 5").sql())
			.isEqualTo("select col1 from table2 t3 where t3.c4 = ?");
	}

	@Test
	void multiRowValuesCollapse() {
		assertThat(Fingerprint.of("insert into t (a, b) values (1, 'x'), (2, 'y')").sql())
			.isEqualTo(Fingerprint.of("insert into t (a,b) values (?, ?)").sql());
	}

	@Test
	void quotedIdentifiersKeepTheirCase() {
		assertThat(Fingerprint.of("SELECT \"Name\" FROM \"Users\"", SqlDialect.POSTGRESQL).sql()).isEqualTo("select \"Name\" from \"Users\"");
	}

	@Test
	void theIdIsShortAndStable() {
		Fingerprint fingerprint = Fingerprint.of("select 1");
		assertThat(fingerprint.id()).hasSize(12).isEqualTo(Fingerprint.of("SELECT 2").id());
	}

}
