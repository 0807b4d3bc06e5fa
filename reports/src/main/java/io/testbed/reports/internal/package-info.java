/**
 * The report's implementation, not for users: the run model read from journals ({@code EnvironmentReader},
 * {@code RunModelBuilder}), the escaping HTML writer ({@code Html}) and the page's parts ({@code HtmlReport},
 * {@code TestSection}, {@code TopologySvg}, {@code TimelineSvg}), and the console summary.
 */
package io.testbed.reports.internal;
