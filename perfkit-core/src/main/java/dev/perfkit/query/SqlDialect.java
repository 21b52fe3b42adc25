package dev.perfkit.query;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * The SQL dialect a data source speaks, as far as the normalizer needs to know it: how
 * strings, quoted identifiers and comments are written. Normalization masks every string
 * literal of the dialect; a statement of an {@link #UNKNOWN} dialect has masked every
 * character that any supported dialect would read as part of a string or comment.
 * <p>
 * The rules are those of each server's default session settings: PostgreSQL with
 * {@code standard_conforming_strings=on}, MySQL and MariaDB with backslash escapes
 * (without {@code NO_BACKSLASH_ESCAPES}), SQL Server with {@code QUOTED_IDENTIFIER ON}.
 * A data source running with other settings should be declared {@link #UNKNOWN}.
 */
public enum SqlDialect {

	/**
	 * PostgreSQL: standard strings ({@code 'C:\'} ends at its quote), {@code E'...'} with
	 * backslash escapes, {@code B'...'}, {@code X'...'}, {@code N'...'}, {@code U&'...'},
	 * dollar quoting ({@code $$...$$}, {@code $tag$...$tag$}), double-quoted identifiers,
	 * nested block comments.
	 */
	POSTGRESQL(variant(Rule.PREFIX_E, Rule.PREFIX_B, Rule.PREFIX_X, Rule.PREFIX_N, Rule.PREFIX_U, Rule.DOLLAR_TAGS,
			Rule.NESTED_COMMENTS, Rule.LINE_COMMENT_ENDS_AT_CR)),

	/**
	 * MySQL and MariaDB: backslash escapes in both {@code '...'} and {@code "..."}
	 * strings, back-quoted identifiers, {@code X'...'}, {@code B'...'}, {@code N'...'},
	 * hexadecimal and binary numbers, {@code #} comments, {@code -- } comments only when
	 * followed by a space, and executable comments ({@code /*! ... *&#47;}) whose content is
	 * code.
	 */
	MYSQL(variant(Rule.BACKSLASH_ESCAPES, Rule.DOUBLE_QUOTED_STRINGS, Rule.BACKTICK_IDENTIFIERS, Rule.PREFIX_X,
			Rule.PREFIX_B, Rule.PREFIX_N, Rule.HASH_COMMENTS, Rule.DASH_DASH_NEEDS_SPACE, Rule.EXECUTABLE_COMMENTS)),

	/**
	 * H2: standard strings, {@code $$...$$}, {@code X'...'}, {@code N'...'},
	 * {@code U&'...'}, double- and back-quoted identifiers, {@code //} comments, nested
	 * block comments.
	 */
	H2(variant(Rule.PREFIX_X, Rule.PREFIX_N, Rule.PREFIX_U, Rule.DOLLAR_DOUBLE, Rule.BACKTICK_IDENTIFIERS,
			Rule.SLASH_SLASH_COMMENTS, Rule.NESTED_COMMENTS, Rule.LINE_COMMENT_ENDS_AT_CR)),

	/**
	 * Microsoft SQL Server: standard strings, {@code N'...'}, double-quoted and bracketed
	 * ({@code [...]}) identifiers, nested block comments. Whether a carriage return alone
	 * ends a {@code --} comment is not documented, so both readings are masked.
	 */
	SQL_SERVER(variant(Rule.PREFIX_N, Rule.BRACKET_IDENTIFIERS, Rule.NESTED_COMMENTS),
			variant(Rule.PREFIX_N, Rule.BRACKET_IDENTIFIERS, Rule.NESTED_COMMENTS, Rule.LINE_COMMENT_ENDS_AT_CR)),

	/**
	 * Oracle: standard strings, {@code N'...'}, alternative quoting ({@code q'[...]'},
	 * {@code nq'{...}'}), double-quoted identifiers. Whether a carriage return alone ends a
	 * {@code --} comment is not documented, so both readings are masked.
	 */
	ORACLE(variant(Rule.PREFIX_N, Rule.Q_QUOTES), variant(Rule.PREFIX_N, Rule.Q_QUOTES, Rule.LINE_COMMENT_ENDS_AT_CR)),

	/**
	 * A dialect perfkit could not tell: a character is masked when any of the dialects
	 * above would read it as part of a string or comment.
	 */
	UNKNOWN(allVariants());

	/** What a variant of the lexical rules allows. */
	enum Rule {

		BACKSLASH_ESCAPES, DOUBLE_QUOTED_STRINGS, BACKTICK_IDENTIFIERS, BRACKET_IDENTIFIERS, PREFIX_E, PREFIX_B,
		PREFIX_X, PREFIX_N, PREFIX_U, Q_QUOTES, DOLLAR_TAGS, DOLLAR_DOUBLE, NESTED_COMMENTS, HASH_COMMENTS,
		SLASH_SLASH_COMMENTS, DASH_DASH_NEEDS_SPACE, EXECUTABLE_COMMENTS, LINE_COMMENT_ENDS_AT_CR

	}

	private final List<EnumSet<Rule>> variants;

	@SafeVarargs
	SqlDialect(EnumSet<Rule>... variants) {
		this.variants = List.of(variants);
	}

	SqlDialect(List<EnumSet<Rule>> variants) {
		this.variants = variants;
	}

	/**
	 * The readings of a statement that are masked together: one for most dialects, several
	 * where the dialect's own rules are ambiguous, all of them for {@link #UNKNOWN}.
	 */
	List<EnumSet<Rule>> variants() {
		return this.variants;
	}

	private static EnumSet<Rule> variant(Rule... rules) {
		EnumSet<Rule> set = EnumSet.noneOf(Rule.class);
		set.addAll(List.of(rules));
		return set;
	}

	private static List<EnumSet<Rule>> allVariants() {
		List<EnumSet<Rule>> all = new ArrayList<>();
		for (SqlDialect dialect : values0()) {
			all.addAll(dialect.variants);
		}
		return List.copyOf(all);
	}

	// The constants declared before UNKNOWN, readable while UNKNOWN is being constructed.
	private static SqlDialect[] values0() {
		return new SqlDialect[] { POSTGRESQL, MYSQL, H2, SQL_SERVER, ORACLE };
	}

	/**
	 * Tell the dialect from a JDBC URL, looking through wrappers such as
	 * {@code jdbc:p6spy:} or {@code jdbc:tc:}. H2 in a compatibility mode ({@code MODE=})
	 * is {@link #UNKNOWN}, as its quoting rules follow the mode.
	 * @param jdbcUrl the URL, may be {@code null}
	 * @return the dialect, {@link #UNKNOWN} when the URL names none of the known ones
	 */
	public static SqlDialect fromJdbcUrl(String jdbcUrl) {
		if (jdbcUrl == null) {
			return UNKNOWN;
		}
		String url = jdbcUrl.toLowerCase(Locale.ROOT);
		if (!url.startsWith("jdbc:")) {
			return UNKNOWN;
		}
		String[] parts = url.substring(5).split(":", 4);
		for (String part : parts) {
			switch (part) {
				case "postgresql", "pgsql":
					return POSTGRESQL;
				case "mysql", "mariadb":
					return MYSQL;
				case "h2":
					return url.contains(";mode=") ? UNKNOWN : H2;
				case "sqlserver":
					return SQL_SERVER;
				case "oracle":
					return ORACLE;
				default:
			}
		}
		return UNKNOWN;
	}

	/**
	 * Tell the dialect from {@code DatabaseMetaData.getDatabaseProductName()}.
	 * @param productName the product name, may be {@code null}
	 * @return the dialect, {@link #UNKNOWN} when it is none of the known ones
	 */
	public static SqlDialect fromProductName(String productName) {
		if (productName == null) {
			return UNKNOWN;
		}
		String name = productName.toLowerCase(Locale.ROOT);
		if (name.contains("postgresql")) {
			return POSTGRESQL;
		}
		if (name.contains("mysql") || name.contains("mariadb")) {
			return MYSQL;
		}
		if (name.equals("h2")) {
			return H2;
		}
		if (name.contains("sql server")) {
			return SQL_SERVER;
		}
		if (name.contains("oracle")) {
			return ORACLE;
		}
		return UNKNOWN;
	}

}
