package dev.perfkit.query;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SlowQueryLogTests {

	@Test
	void placeholdersAreMappedToTheColumnsTheyCompareOrInsert() {
		assertThat(SlowQueryLog.placeholderColumns("select * from users u where u.name = ? and password=?", SqlDialect.POSTGRESQL))
			.containsExactly("name", "password");
		assertThat(SlowQueryLog.placeholderColumns("insert into users (name, \"Token\") values (?, ?)", SqlDialect.POSTGRESQL))
			.containsExactly("name", "token");
		assertThat(SlowQueryLog.placeholderColumns("select ? from t", SqlDialect.POSTGRESQL)).containsExactly((String) null);
	}

}
