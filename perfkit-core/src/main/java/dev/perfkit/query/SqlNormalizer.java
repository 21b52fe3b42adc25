package dev.perfkit.query;

import java.util.EnumSet;
import java.util.List;
import java.util.regex.Pattern;

import dev.perfkit.query.SqlDialect.Rule;

/**
 * Turns a statement into its fingerprint text.
 * <p>
 * <b>Implementation note.</b> Two passes over the characters. The first ({@link #classify})
 * reads the statement as the dialect's lexer would and marks every character as code,
 * literal, quoted identifier or comment. Where a dialect has several readings (an
 * undocumented corner, or {@link SqlDialect#UNKNOWN}, which has the readings of every
 * dialect), each reading is classified and the marks are merged so that a character any
 * reading puts in a literal is a literal, and a character is a comment only when every
 * reading agrees; so a secret inside a string literal under the true reading is masked
 * whichever reading is true. The second pass ({@link #emit}) writes the fingerprint text:
 * a run of literal characters becomes one {@code ?}, comments become a space, code is
 * lower-cased with numbers and {@code $1}-style parameters masked, quoted identifiers are
 * kept as written. Two small rewrites then collapse list shapes. Callers cache the result
 * per distinct SQL string, so the cost is paid once per statement text, not per
 * execution. Nothing here throws on any input: an unterminated literal or comment runs to
 * the end of the text.
 */
final class SqlNormalizer {

	static final byte CODE = 0;

	static final byte LITERAL = 1;

	static final byte IDENTIFIER = 2;

	static final byte COMMENT = 3;

	private static final Pattern IN_LIST = Pattern.compile("\\bin \\(\\?(?:, \\?)*\\)");

	private static final Pattern VALUES_ROWS = Pattern.compile("\\b(values \\([^()]*\\))(?:, \\([^()]*\\))+");

	private SqlNormalizer() {
	}

	static String normalize(String sql, SqlDialect dialect) {
		String text = emit(sql, classify(sql, dialect));
		text = IN_LIST.matcher(text).replaceAll("in (?)");
		text = VALUES_ROWS.matcher(text).replaceAll("$1");
		return text;
	}

	/**
	 * Mark each character of the statement as {@link #CODE}, {@link #LITERAL},
	 * {@link #IDENTIFIER} (quoted) or {@link #COMMENT}, merged over the dialect's readings.
	 */
	static byte[] classify(String sql, SqlDialect dialect) {
		List<EnumSet<Rule>> variants = dialect.variants();
		byte[] merged = classify(sql, variants.get(0));
		if (variants.size() > 1) {
			byte[] other = new byte[sql.length()];
			for (int v = 1; v < variants.size(); v++) {
				classify(sql, variants.get(v), other);
				for (int i = 0; i < merged.length; i++) {
					merged[i] = merge(merged[i], other[i], sql.charAt(i));
				}
			}
		}
		if (dialect == SqlDialect.UNKNOWN) {
			// Text one reading quotes as an identifier may be a string in the true one.
			for (int i = 0; i < merged.length; i++) {
				if (merged[i] == IDENTIFIER) {
					merged[i] = LITERAL;
				}
			}
		}
		return merged;
	}

	/** Mark each character as one reading of the statement sees it. */
	static byte[] classify(String sql, EnumSet<Rule> rules) {
		byte[] kinds = new byte[sql.length()];
		classify(sql, rules, kinds);
		return kinds;
	}

	private static byte merge(byte a, byte b, char c) {
		if (a == b) {
			return a;
		}
		if (isSpace(c) && (a == COMMENT || b == COMMENT) && (a == CODE || b == CODE)) {
			// A line break that one reading puts at the end of a comment: a space either way.
			return COMMENT;
		}
		if (a == LITERAL || b == LITERAL || a == COMMENT || b == COMMENT) {
			// Code under one reading and a comment under another may hide a literal: mask it.
			return LITERAL;
		}
		return CODE;
	}

	private static void classify(String sql, EnumSet<Rule> rules, byte[] kinds) {
		int length = sql.length();
		boolean executable = false;
		int i = 0;
		while (i < length) {
			char c = sql.charAt(i);
			char next = (i + 1 < length) ? sql.charAt(i + 1) : 0;
			int end;
			byte kind;
			if (c == '-' && next == '-' && (!rules.contains(Rule.DASH_DASH_NEEDS_SPACE) || i + 2 >= length
					|| sql.charAt(i + 2) <= ' ')) {
				end = lineEnd(sql, i, rules.contains(Rule.LINE_COMMENT_ENDS_AT_CR));
				kind = COMMENT;
			}
			else if ((c == '#' && rules.contains(Rule.HASH_COMMENTS))
					|| (c == '/' && next == '/' && rules.contains(Rule.SLASH_SLASH_COMMENTS))) {
				end = lineEnd(sql, i, rules.contains(Rule.LINE_COMMENT_ENDS_AT_CR));
				kind = COMMENT;
			}
			else if (c == '/' && next == '*') {
				int marker = rules.contains(Rule.EXECUTABLE_COMMENTS) ? executableCommentEnd(sql, i) : -1;
				if (marker > 0) {
					// MySQL runs what follows as code, up to the matching */.
					executable = true;
					end = marker;
				}
				else {
					end = blockCommentEnd(sql, i, rules.contains(Rule.NESTED_COMMENTS));
				}
				kind = COMMENT;
			}
			else if (executable && c == '*' && next == '/') {
				executable = false;
				end = i + 2;
				kind = COMMENT;
			}
			else if (c == '\'') {
				end = quotedEnd(sql, i, '\'', rules.contains(Rule.BACKSLASH_ESCAPES));
				kind = LITERAL;
			}
			else if (c == '"') {
				boolean string = rules.contains(Rule.DOUBLE_QUOTED_STRINGS);
				end = quotedEnd(sql, i, '"', string && rules.contains(Rule.BACKSLASH_ESCAPES));
				kind = string ? LITERAL : IDENTIFIER;
			}
			else if (c == '`' && rules.contains(Rule.BACKTICK_IDENTIFIERS)) {
				end = quotedEnd(sql, i, '`', false);
				kind = IDENTIFIER;
			}
			else if (c == '[' && rules.contains(Rule.BRACKET_IDENTIFIERS)) {
				end = quotedEnd(sql, i, ']', false);
				kind = IDENTIFIER;
			}
			else if (c == '$' && !identifierBefore(sql, kinds, i) && (end = dollarQuotedEnd(sql, i, rules)) > 0) {
				kind = LITERAL;
			}
			else if (Character.isLetter(c) && !identifierBefore(sql, kinds, i)
					&& (end = prefixedEnd(sql, i, rules)) > 0) {
				kind = LITERAL;
			}
			else {
				end = i + 1;
				kind = CODE;
			}
			for (int j = i; j < end; j++) {
				kinds[j] = kind;
			}
			i = end;
		}
	}

	/** Whether the character before {@code i} is code that continues an identifier. */
	private static boolean identifierBefore(String sql, byte[] kinds, int i) {
		if (i == 0 || kinds[i - 1] != CODE) {
			return false;
		}
		char c = sql.charAt(i - 1);
		return Character.isLetterOrDigit(c) || c == '_' || c == '$';
	}

	private static int lineEnd(String sql, int i, boolean carriageReturnEnds) {
		for (int j = i + 2; j < sql.length(); j++) {
			char c = sql.charAt(j);
			if (c == '\n' || (c == '\r' && carriageReturnEnds)) {
				return j + 1;
			}
		}
		return sql.length();
	}

	private static int blockCommentEnd(String sql, int i, boolean nested) {
		int depth = 1;
		int j = i + 2;
		int length = sql.length();
		while (j < length) {
			char c = sql.charAt(j);
			if (c == '*' && j + 1 < length && sql.charAt(j + 1) == '/') {
				j += 2;
				if (--depth == 0) {
					return j;
				}
			}
			else if (nested && c == '/' && j + 1 < length && sql.charAt(j + 1) == '*') {
				depth++;
				j += 2;
			}
			else {
				j++;
			}
		}
		return length;
	}

	/** The end of a {@code /*!12345} or {@code /*M!12345} marker, or -1. */
	private static int executableCommentEnd(String sql, int i) {
		int j = i + 2;
		if (j < sql.length() && (sql.charAt(j) == 'M' || sql.charAt(j) == 'm') && j + 1 < sql.length()
				&& sql.charAt(j + 1) == '!') {
			j++;
		}
		if (j >= sql.length() || sql.charAt(j) != '!') {
			return -1;
		}
		j++;
		while (j < sql.length() && Character.isDigit(sql.charAt(j))) {
			j++;
		}
		return j;
	}

	private static int quotedEnd(String sql, int start, char close, boolean backslashEscapes) {
		int length = sql.length();
		int i = start + 1;
		while (i < length) {
			char c = sql.charAt(i);
			if (c == close) {
				// A doubled quote is an escaped quote inside the literal.
				if (i + 1 < length && sql.charAt(i + 1) == close) {
					i += 2;
					continue;
				}
				return i + 1;
			}
			i += (c == '\\' && backslashEscapes) ? 2 : 1;
		}
		return length;
	}

	/** The end of a dollar-quoted string starting at {@code i}, or -1 when none starts there. */
	private static int dollarQuotedEnd(String sql, int i, EnumSet<Rule> rules) {
		int length = sql.length();
		if (rules.contains(Rule.DOLLAR_TAGS)) {
			int j = i + 1;
			if (j < length && (Character.isLetter(sql.charAt(j)) || sql.charAt(j) == '_')) {
				while (j < length && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
					j++;
				}
			}
			if (j < length && sql.charAt(j) == '$') {
				String tag = sql.substring(i, j + 1);
				int close = sql.indexOf(tag, j + 1);
				return (close < 0) ? length : close + tag.length();
			}
		}
		if (rules.contains(Rule.DOLLAR_DOUBLE) && i + 1 < length && sql.charAt(i + 1) == '$') {
			int close = sql.indexOf("$$", i + 2);
			return (close < 0) ? length : close + 2;
		}
		return -1;
	}

	/**
	 * The end of a literal with a letter prefix ({@code E'...'}, {@code X'...'},
	 * {@code U&'...'}, {@code q'[...]'}) starting at {@code i}, or -1 when none starts there.
	 */
	private static int prefixedEnd(String sql, int i, EnumSet<Rule> rules) {
		int length = sql.length();
		char c = Character.toUpperCase(sql.charAt(i));
		char next = (i + 1 < length) ? sql.charAt(i + 1) : 0;
		if (next == '\'') {
			boolean prefix = (c == 'E' && rules.contains(Rule.PREFIX_E)) || (c == 'B' && rules.contains(Rule.PREFIX_B))
					|| (c == 'X' && rules.contains(Rule.PREFIX_X)) || (c == 'N' && rules.contains(Rule.PREFIX_N));
			if (prefix) {
				boolean escapes = c == 'E' || rules.contains(Rule.BACKSLASH_ESCAPES);
				return quotedEnd(sql, i + 1, '\'', escapes);
			}
			if (c == 'Q' && rules.contains(Rule.Q_QUOTES)) {
				return alternativeQuotedEnd(sql, i + 1);
			}
		}
		if (c == 'U' && next == '&' && rules.contains(Rule.PREFIX_U) && i + 2 < length && sql.charAt(i + 2) == '\'') {
			return quotedEnd(sql, i + 2, '\'', false);
		}
		if (c == 'N' && rules.contains(Rule.Q_QUOTES) && (next == 'q' || next == 'Q') && i + 2 < length
				&& sql.charAt(i + 2) == '\'') {
			return alternativeQuotedEnd(sql, i + 2);
		}
		return -1;
	}

	/** Oracle's {@code q'<delimiter>...<closing delimiter>'}, from the quote. */
	private static int alternativeQuotedEnd(String sql, int quote) {
		int length = sql.length();
		if (quote + 1 >= length) {
			return length;
		}
		char open = sql.charAt(quote + 1);
		char close = switch (open) {
			case '[' -> ']';
			case '{' -> '}';
			case '(' -> ')';
			case '<' -> '>';
			default -> open;
		};
		for (int j = quote + 2; j + 1 < length; j++) {
			if (sql.charAt(j) == close && sql.charAt(j + 1) == '\'') {
				return j + 2;
			}
		}
		return length;
	}

	/** Write the fingerprint text from the classified characters. */
	private static String emit(String sql, byte[] kinds) {
		int length = sql.length();
		StringBuilder out = new StringBuilder(length);
		boolean pendingSpace = false;
		int i = 0;
		while (i < length) {
			char c = sql.charAt(i);
			byte kind = kinds[i];
			if (kind == COMMENT || (kind == CODE && isSpace(c))) {
				pendingSpace = true;
				i++;
				continue;
			}
			if (kind == CODE && (c == ',' || c == ')')) {
				pendingSpace = false;
			}
			else if (pendingSpace && out.length() > 0 && out.charAt(out.length() - 1) != '(') {
				out.append(' ');
			}
			pendingSpace = false;
			if (kind != CODE) {
				int end = i + 1;
				while (end < length && kinds[end] == kind) {
					end++;
				}
				if (kind == LITERAL) {
					out.append('?');
				}
				else {
					out.append(sql, i, end);
				}
				i = end;
			}
			else if ((Character.isDigit(c) || (c == '.' && i + 1 < length && Character.isDigit(sql.charAt(i + 1))))
					&& !identifierBefore(sql, kinds, i)) {
				i = numberEnd(sql, kinds, i);
				out.append('?');
			}
			else if (c == '$' && i + 1 < length && Character.isDigit(sql.charAt(i + 1)) && kinds[i + 1] == CODE
					&& !identifierBefore(sql, kinds, i)) {
				i = numberEnd(sql, kinds, i + 1);
				out.append('?');
			}
			else {
				out.append(Character.toLowerCase(c));
				if (c == ',') {
					pendingSpace = true;
				}
				i++;
			}
		}
		return out.toString().strip();
	}

	private static boolean isSpace(char c) {
		return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0;
	}

	/**
	 * The end of a number: digits, a decimal point, an exponent with its sign, and any
	 * letters that follow ({@code 0xDEADBEEF}, {@code 0b1010}, {@code 1e-5}, {@code 10L}),
	 * so that no part of a number is left behind.
	 */
	private static int numberEnd(String sql, byte[] kinds, int i) {
		int length = sql.length();
		while (i < length && kinds[i] == CODE) {
			char c = sql.charAt(i);
			if (Character.isLetterOrDigit(c) || c == '_' || c == '.') {
				i++;
			}
			else if ((c == '+' || c == '-') && (sql.charAt(i - 1) == 'e' || sql.charAt(i - 1) == 'E')
					&& i + 1 < length && Character.isDigit(sql.charAt(i + 1))) {
				i++;
			}
			else {
				break;
			}
		}
		return i;
	}

}
