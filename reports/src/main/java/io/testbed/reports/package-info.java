/**
 * Testbed's reports: the HTML report and console summary of a run, rendered from the journals its environments'
 * prefixes keep. {@link io.testbed.reports.TestbedReportListener} writes them when a JUnit test plan ends (it is
 * registered through {@code META-INF/services}; configuration parameters {@code testbed.report.enabled} and
 * {@code testbed.report.dir}); {@link io.testbed.reports.ReportMain} rebuilds them from a directory of prefixes;
 * {@link io.testbed.reports.TestbedReport} does both from code.
 */
package io.testbed.reports;
