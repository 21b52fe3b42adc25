package dev.perfkit.load;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Counts, from the responses alone, how many requests of one key a limiter admitted within
 * one window. A request is decided somewhere between its {@code sent} and {@code received}
 * times (both read on this host, whose clock Redis's {@code TIME} also reads), so a set of
 * admitted requests <em>certainly</em> fell within one window of length {@code W} when the
 * latest {@code received} minus the earliest {@code sent} is shorter than {@code W}. The
 * count is the largest such set: never more than the truth, so a count above the limit is
 * a proven over-admission, not a timing artefact.
 */
final class Admissions {

	private Admissions() {
	}

	/** An admitted request: the span its decision lies in. */
	record Span(long sent, long received) {
	}

	/**
	 * The largest number of the spans that certainly lie within one window of
	 * {@code windowMillis} starting at or after {@code from} and before {@code to}.
	 */
	static Window busiest(List<Span> spans, long windowMillis, long from, long to) {
		List<Span> sorted = new ArrayList<>(spans);
		sorted.sort(Comparator.comparingLong(Span::sent));
		Window best = new Window(0, 0);
		for (int i = 0; i < sorted.size(); i++) {
			long start = sorted.get(i).sent();
			if (start < from || start >= to) {
				continue;
			}
			// The spans sent at or after this one and received before start + W all lie
			// in [start, start + W).
			int count = 0;
			for (int j = i; j < sorted.size() && sorted.get(j).sent() < start + windowMillis; j++) {
				if (sorted.get(j).received() < start + windowMillis) {
					count++;
				}
			}
			if (count > best.count()) {
				best = new Window(start, count);
			}
		}
		return best;
	}

	/** The busiest window found: where it starts and how many it admitted. */
	record Window(long start, int count) {
	}

}
