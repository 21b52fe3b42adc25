package dev.perfkit.query;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import net.ttddyy.dsproxy.QueryInfo;
import net.ttddyy.dsproxy.proxy.ParameterSetOperation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one line per slow statement, after it completed, with its real duration. By
 * default the line shows the normalized SQL, so neither literals nor bind values leave
 * the application; with parameter logging on it shows the SQL as sent and the bound
 * values, hiding those bound to redacted column names and truncating long ones.
 * <p>
 * <b>Implementation note.</b> Lines are bounded per second
 * ({@link QuerySettings#slowLogLinesPerSecond()}), for all data sources of one engine
 * together: when the database slows down every statement is slow, and a line each,
 * written on the request threads, would make them queue on the appender's lock. Time is
 * cut into one-second windows counted from this log's creation; one {@link AtomicLong}
 * holds the current window's number (high 32 bits) and the lines admitted in it (low 32
 * bits), changed only by compare-and-set, so a line is admitted into exactly one window
 * and no window admits more than the bound. A thread that read the time just before a
 * window turned and arrives after it counts in the newer window (it can only make that
 * window admit fewer lines, never more). Once a window is full, a statement costs one
 * read of that word and one increment of {@link #unreported}; nothing blocks. The first
 * line admitted afterwards takes the whole unreported count with {@code getAndSet(0)}
 * and says how many were not written: every statement held back is claimed by exactly
 * one later line (or still waits in {@link #unreported}), never by two and never lost.
 * Under races a line may claim statements held back just after it was admitted; the sum
 * stays exact. Statements held back are also counted by the caller
 * ({@code perfkit.query.slow.log.suppressed}), so a burst that ends without a further
 * line is still seen.
 */
final class SlowQueryLog {

	private static final Logger logger = LoggerFactory.getLogger("dev.perfkit.query.slow");

	private static final long NANOS_PER_SECOND = 1_000_000_000L;

	private static final long LINES_MASK = 0xFFFF_FFFFL;

	private static final String TABLE = "(?:\"[^\"]*\"|`[^`]*`|\\[[^\\]]*\\]|[^\\s(])+?";

	/** An INSERT with a column list (group 1) or without one (group 1 null), up to its first row. */
	private static final Pattern INSERT_COLUMNS = Pattern
		.compile("(?is)\\binsert\\s+(?:ignore\\s+)?into\\s+" + TABLE + "\\s*(?:\\(([^)]*)\\)\\s*)?values?\\s*\\(");

	/** The column of a value whose column the statement does not name: never shown. */
	static final String UNNAMED_COLUMN = "*";

	private static final Pattern COMPARED_COLUMN = Pattern
		.compile("(?is)([a-z_][a-z0-9_.\"`\\[\\]]*)\\s*(?:=|<>|!=|<=|>=|<|>|\\blike|\\bilike)\\s*(?:[a-z_][a-z0-9_.]*\\s*\\(\\s*)*$");

	private final QuerySettings settings;

	private final int linesPerSecond;

	private final LongSupplier nanoTime;

	private final long origin;

	/** The current window's number (high 32 bits) and the lines admitted in it (low 32 bits). */
	private final AtomicLong window = new AtomicLong();

	/** Slow statements held back and not yet reported by a written line. */
	private final AtomicLong unreported = new AtomicLong();

	/** When the latest line was written, on the {@link #nanoTime} scale. */
	private final AtomicLong lastLine;

	SlowQueryLog(QuerySettings settings) {
		this(settings, System::nanoTime);
	}

	SlowQueryLog(QuerySettings settings, LongSupplier nanoTime) {
		this.settings = settings;
		this.linesPerSecond = settings.slowLogLinesPerSecond();
		this.nanoTime = nanoTime;
		this.origin = nanoTime.getAsLong();
		this.lastLine = new AtomicLong(this.origin);
	}

	/**
	 * Write the line of one slow statement, unless this second's lines are used up.
	 * @param dataSource the data source's name
	 * @param nanos how long the statement took
	 * @param success whether it succeeded
	 * @param batchSize its batch size, {@code 1} when not a batch
	 * @param fingerprint its fingerprint
	 * @param query the statement as sent, with its bound parameters
	 * @param dialect the dialect it is read in
	 * @return {@code false} if the bound held the line back (it is then counted in the
	 * next line written), {@code true} if it was written or WARN is off for the logger
	 */
	boolean write(String dataSource, long nanos, boolean success, int batchSize, Fingerprint fingerprint,
			QueryInfo query, SqlDialect dialect) {
		if (!logger.isWarnEnabled()) {
			return true;
		}
		String missed = "";
		if (this.linesPerSecond > 0) {
			long now = this.nanoTime.getAsLong();
			if (!admit(now)) {
				this.unreported.incrementAndGet();
				return false;
			}
			missed = missed(now);
		}
		String duration = String.format(Locale.ROOT, "%.1f ms", nanos / 1_000_000.0);
		String outcome = success ? "success" : "error";
		if (this.settings.logParameters()) {
			logger.warn("Slow query took {} on data source '{}' (outcome={}, batch={}, fingerprint={}): {} parameters={}{}",
					duration, dataSource, outcome, batchSize, fingerprint.id(), query.getQuery(), parameters(query, dialect),
					missed);
		}
		else {
			logger.warn(
					"Slow query took {} on data source '{}' (outcome={}, batch={}, fingerprint={}): {} "
							+ "[parameters masked; set perfkit.query.log-parameters=true to show them]{}",
					duration, dataSource, outcome, batchSize, fingerprint.id(), fingerprint.sql(), missed);
		}
		return true;
	}

	/**
	 * Admit one line into the window of {@code now}, if it has room.
	 */
	private boolean admit(long now) {
		long index = Math.floorDiv(now - this.origin, NANOS_PER_SECOND);
		while (true) {
			long state = this.window.get();
			long next;
			if (index > (state >>> 32)) {
				next = (index << 32) | 1;
			}
			else if ((state & LINES_MASK) < this.linesPerSecond) {
				next = state + 1;
			}
			else {
				return false;
			}
			if (this.window.compareAndSet(state, next)) {
				return true;
			}
		}
	}

	/**
	 * Claim the statements held back since the previous line and say so, or return
	 * {@code ""} when there are none.
	 */
	private String missed(long now) {
		// The later of the two, compared as nanoTime values are: by their difference (they may wrap).
		long previous = this.lastLine.getAndAccumulate(now, (last, time) -> (time - last > 0) ? time : last);
		if (this.unreported.get() == 0) {
			return "";
		}
		long count = this.unreported.getAndSet(0);
		if (count == 0) {
			return "";
		}
		double seconds = Math.max(0, now - previous) / (double) NANOS_PER_SECOND;
		return String.format(Locale.ROOT,
				" (%d more slow statement%s not logged in the last %.1f s; see the query statistics)", count,
				(count == 1) ? "" : "s", seconds);
	}

	/**
	 * Return how many slow statements were held back and not yet reported by a line.
	 * @return the count
	 */
	long unreported() {
		return this.unreported.get();
	}

	String parameters(QueryInfo query, SqlDialect dialect) {
		String[] columns = placeholderColumns(query.getQuery(), dialect);
		List<String> sets = new ArrayList<>();
		for (List<ParameterSetOperation> operations : query.getParametersList()) {
			List<ParameterSetOperation> sorted = new ArrayList<>(operations);
			sorted.sort(Comparator.comparing((operation) -> operation.getArgs()[0], SlowQueryLog::compareIndexes));
			// When the readings disagree or the placeholders found do not match the values bound,
			// the mapping cannot be trusted: every value is hidden.
			boolean mapped = columns != null && sorted.size() == columns.length;
			StringBuilder set = new StringBuilder("(");
			for (ParameterSetOperation operation : sorted) {
				Object[] args = operation.getArgs();
				if (set.length() > 1) {
					set.append(", ");
				}
				set.append(args[0]).append('=').append(mapped ? value(operation, columns) : "<redacted>");
			}
			sets.add(set.append(')').toString());
		}
		return String.join(", ", sets);
	}

	/** Positional parameters in number order, named ones after them by name. */
	private static int compareIndexes(Object left, Object right) {
		if (left instanceof Integer a && right instanceof Integer b) {
			return Integer.compare(a, b);
		}
		if (left instanceof Integer) {
			return -1;
		}
		if (right instanceof Integer) {
			return 1;
		}
		return String.valueOf(left).compareTo(String.valueOf(right));
	}

	private String value(ParameterSetOperation operation, String[] columns) {
		Object[] args = operation.getArgs();
		if (args[0] instanceof Integer index && index >= 1 && index <= columns.length && columns[index - 1] != null
				&& (UNNAMED_COLUMN.equals(columns[index - 1])
						|| this.settings.redactedParameters().contains(columns[index - 1]))) {
			return "<redacted>";
		}
		if (args.length < 2 || args[1] == null || ParameterSetOperation.isSetNullParameterOperation(operation)) {
			return "null";
		}
		String text = String.valueOf(args[1]);
		int max = this.settings.maxParameterLength();
		if (text.length() > max) {
			return "'" + text.substring(0, max) + "...' (" + text.length() + " chars)";
		}
		return "'" + text + "'";
	}

	/**
	 * The column each {@code ?} is bound to, where the SQL shape tells it: the column list
	 * of an {@code INSERT} for the placeholders inside its {@code VALUES} rows (by the
	 * position of the value in its row, in every row), else the column compared or
	 * assigned just before it ({@code column = ?}, {@code column LIKE ?},
	 * {@code column = fn(?)}). Placeholders are the {@code ?} the dialect reads as code,
	 * never one inside a string or comment. A dialect with several readings (an unknown
	 * one has the readings of every dialect) is mapped under each: unless all agree, the
	 * answer is {@code null}, and no value is shown.
	 */
	static String[] placeholderColumns(String sql, SqlDialect dialect) {
		String[] agreed = null;
		for (EnumSet<SqlDialect.Rule> rules : dialect.variants()) {
			String[] columns = placeholderColumns(sql, SqlNormalizer.classify(sql, rules));
			if (agreed != null && !Arrays.equals(agreed, columns)) {
				return null;
			}
			agreed = columns;
		}
		return agreed;
	}

	private static String[] placeholderColumns(String sql, byte[] kinds) {
		List<String> columns = new ArrayList<>();
		Matcher insert = INSERT_COLUMNS.matcher(sql);
		List<String> insertColumns = List.of();
		int valuesStart = -1;
		if (insert.find() && kinds[insert.start()] == SqlNormalizer.CODE && kinds[insert.end() - 1] == SqlNormalizer.CODE) {
			insertColumns = (insert.group(1) != null) ? List.of(insert.group(1).split(",")) : List.of();
			valuesStart = insert.end() - 1;
		}
		// Inside the VALUES rows: the depth of parentheses and the position in the row.
		int depth = 0;
		int position = 0;
		boolean inValues = false;
		for (int i = 0; i < sql.length(); i++) {
			if (kinds[i] != SqlNormalizer.CODE) {
				continue;
			}
			char c = sql.charAt(i);
			if (i == valuesStart) {
				inValues = true;
			}
			if (inValues) {
				if (c == '(') {
					if (depth++ == 0) {
						position = 0;
					}
				}
				else if (c == ')') {
					depth = Math.max(0, depth - 1);
				}
				else if (c == ',' && depth == 1) {
					position++;
				}
				else if (depth == 0 && c != ',' && !Character.isWhitespace(c)) {
					// Past the last row (ON CONFLICT, RETURNING, ON DUPLICATE KEY UPDATE ...).
					inValues = false;
				}
			}
			if (c == '?') {
				if (inValues && depth > 0) {
					columns.add((position < insertColumns.size()) ? clean(insertColumns.get(position)) : UNNAMED_COLUMN);
				}
				else {
					Matcher compared = COMPARED_COLUMN.matcher(sql.substring(Math.max(0, i - 80), i));
					columns.add(compared.find() ? clean(compared.group(1)) : null);
				}
			}
		}
		return columns.toArray(String[]::new);
	}

	private static String clean(String column) {
		String name = column.strip().replaceAll("[\"`\\[\\]]", "");
		int dot = name.lastIndexOf('.');
		return ((dot >= 0) ? name.substring(dot + 1) : name).toLowerCase(Locale.ROOT);
	}

}
