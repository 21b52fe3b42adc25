/**
 * One view of performance: {@link dev.perfkit.report.PerformanceReportEngine} reads
 * perfkit's meters (and Boot's {@code hikaricp.*} pool meters) from a Micrometer
 * registry and turns them into an immutable {@link dev.perfkit.report.PerformanceReport}
 * with a status, a score, per-capability sections, recommendations and degradation
 * reasons. Engines add what meters cannot carry through
 * {@link dev.perfkit.report.ReportContributor}.
 */
package dev.perfkit.report;
