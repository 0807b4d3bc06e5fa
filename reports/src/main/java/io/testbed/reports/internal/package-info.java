/**
 * The report's implementation, not for users: the run model read from journals ({@code EnvironmentReader},
 * {@code RunModelBuilder}), the escaping HTML writer ({@code Html}), the report's folder ({@code ReportFolder}: the
 * index of {@code HtmlReport} with {@code TestList}, {@code TopologySvg} and {@code TimelineSvg}, and a
 * {@code TestPage} per test, named by {@code Pages}), and the console summary.
 */
package io.testbed.reports.internal;
