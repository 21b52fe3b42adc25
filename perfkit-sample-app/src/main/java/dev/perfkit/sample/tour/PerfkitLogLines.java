package dev.perfkit.sample.tour;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The last lines perfkit logged at WARN or above (its N+1 and slow-query warnings among
 * them), kept in memory so that the front page can show what perfkit wrote for the
 * request it just made. A sample convenience, not a pattern for production: there the
 * log goes to the log pipeline.
 */
@Component
class PerfkitLogLines implements DisposableBean {

	private static final int KEPT = 50;

	private final Deque<Line> lines = new ArrayDeque<>();

	private final Logger perfkit = (Logger) LoggerFactory.getLogger("dev.perfkit");

	private final Capture capture = new Capture();

	private long sequence;

	PerfkitLogLines() {
		// Boot has configured Logback before any bean is created, so the appender stays.
		this.capture.setContext(this.perfkit.getLoggerContext());
		this.capture.setName("perfkit-sample-tour");
		this.capture.start();
		this.perfkit.addAppender(this.capture);
	}

	/**
	 * The lines logged after the given sequence number, oldest first.
	 * @param after the last sequence number the caller has seen
	 * @return the newer lines
	 */
	synchronized List<Line> after(long after) {
		List<Line> newer = new ArrayList<>();
		for (Line line : this.lines) {
			if (line.sequence() > after) {
				newer.add(line);
			}
		}
		return newer;
	}

	/**
	 * The sequence number of the last line logged so far.
	 * @return the sequence number, 0 before the first line
	 */
	synchronized long last() {
		return this.sequence;
	}

	private synchronized void add(ILoggingEvent event) {
		this.sequence++;
		this.lines.addLast(new Line(this.sequence, Instant.ofEpochMilli(event.getTimeStamp()).toString(),
				event.getLevel().toString(), event.getLoggerName(), event.getFormattedMessage()));
		if (this.lines.size() > KEPT) {
			this.lines.removeFirst();
		}
	}

	@Override
	public void destroy() {
		this.perfkit.detachAppender(this.capture);
		this.capture.stop();
	}

	/**
	 * One log line.
	 *
	 * @param sequence its number, counting from 1
	 * @param time when it was logged
	 * @param level its level
	 * @param logger the logger's name
	 * @param message the message
	 */
	record Line(long sequence, String time, String level, String logger, String message) {
	}

	private final class Capture extends AppenderBase<ILoggingEvent> {

		@Override
		protected void append(ILoggingEvent event) {
			if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
				add(event);
			}
		}

	}

}
