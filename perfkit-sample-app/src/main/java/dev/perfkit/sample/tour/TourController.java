package dev.perfkit.sample.tour;

import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the front page ({@code static/index.html}) needs besides the sample's API: the
 * lines perfkit logged, so that the tour can show the N+1 warning and the slow-query log
 * line its requests caused.
 */
@RestController
class TourController {

	private final PerfkitLogLines log;

	TourController(PerfkitLogLines log) {
		this.log = log;
	}

	@GetMapping("/api/tour/log")
	Map<String, Object> log(@RequestParam(defaultValue = "0") long after) {
		List<PerfkitLogLines.Line> lines = this.log.after(after);
		long last = lines.isEmpty() ? this.log.last() : lines.get(lines.size() - 1).sequence();
		return Map.of("last", last, "lines", lines);
	}

}
