package dev.perfkit.query;

import java.util.regex.Pattern;

/**
 * Turns a statement into its fingerprint text in one pass over the characters, plus two
 * small rewrites for list shapes. Callers cache the result per distinct SQL string, so the
 * cost is paid once per statement text, not per execution.
 */
final class SqlNormalizer {

	private static final Pattern IN_LIST = Pattern.compile("\\bin \\(\\?(?:, \\?)*\\)");

	private static final Pattern VALUES_ROWS = Pattern.compile("\\b(values \\([^()]*\\))(?:, \\([^()]*\\))+");

	private SqlNormalizer() {
	}

	static String normalize(String sql) {
		StringBuilder out = new StringBuilder(sql.length());
		int length = sql.length();
		int i = 0;
		boolean pendingSpace = false;
		while (i < length) {
			char c = sql.charAt(i);
			if (c == '-' && i + 1 < length && sql.charAt(i + 1) == '-') {
				i = skipLineComment(sql, i);
				pendingSpace = true;
			}
			else if (c == '/' && i + 1 < length && sql.charAt(i + 1) == '*') {
				i = skipBlockComment(sql, i);
				pendingSpace = true;
			}
			else if (Character.isWhitespace(c)) {
				pendingSpace = true;
				i++;
			}
			else {
				if (c == ',' || c == ')') {
					pendingSpace = false;
				}
				else if (pendingSpace && out.length() > 0 && out.charAt(out.length() - 1) != '(') {
					out.append(' ');
				}
				pendingSpace = false;
				if (c == '\'') {
					i = skipQuoted(sql, i, '\'');
					out.append('?');
				}
				else if (c == '"' || c == '`') {
					int end = skipQuoted(sql, i, c);
					out.append(sql, i, end);
					i = end;
				}
				else if ((Character.isDigit(c) || c == '$' && i + 1 < length && Character.isDigit(sql.charAt(i + 1)))
						&& !partOfIdentifier(out)) {
					i = skipNumber(sql, i + 1);
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
		}
		String text = out.toString().strip();
		text = IN_LIST.matcher(text).replaceAll("in (?)");
		text = VALUES_ROWS.matcher(text).replaceAll("$1");
		return text;
	}

	private static boolean partOfIdentifier(StringBuilder out) {
		if (out.length() == 0) {
			return false;
		}
		char previous = out.charAt(out.length() - 1);
		return Character.isLetterOrDigit(previous) || previous == '_' || previous == '.' || previous == '$';
	}

	private static int skipNumber(String sql, int i) {
		while (i < sql.length()) {
			char c = sql.charAt(i);
			if (Character.isDigit(c) || c == '.' || c == 'e' || c == 'E') {
				i++;
			}
			else {
				break;
			}
		}
		return i;
	}

	private static int skipQuoted(String sql, int start, char quote) {
		int i = start + 1;
		while (i < sql.length()) {
			char c = sql.charAt(i);
			if (c == quote) {
				// A doubled quote is an escaped quote inside the literal.
				if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
					i += 2;
					continue;
				}
				return i + 1;
			}
			if (c == '\\' && quote == '\'' && i + 1 < sql.length()) {
				i += 2;
				continue;
			}
			i++;
		}
		return sql.length();
	}

	private static int skipLineComment(String sql, int i) {
		int end = sql.indexOf('\n', i);
		return (end < 0) ? sql.length() : end + 1;
	}

	private static int skipBlockComment(String sql, int i) {
		int end = sql.indexOf("*/", i + 2);
		return (end < 0) ? sql.length() : end + 2;
	}

}
