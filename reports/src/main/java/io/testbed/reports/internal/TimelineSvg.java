package io.testbed.reports.internal;

import io.testbed.core.journal.CommandEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An environment's timeline as inline SVG: one lane for the environment's own steps (lease, networks, teardown),
 * one lane per machine (provider steps, create, boot, first command, snapshots, reverts, jobs, destroy, failures,
 * and a tick per command when there are not too many), and one lane of tests, each test also a band behind the
 * machines' lanes; each bar says what it is on hover.
 */
final class TimelineSvg {

    private static final int WIDTH = 1100;
    private static final int LABEL = 150;
    private static final int LANE = 24;
    private static final int AXIS = 22;
    /** Above this many commands in an environment, commands get no ticks (the tests' tables list them). */
    static final int MAX_TICKS = 3000;

    private TimelineSvg() {}

    static void write(Html html, EnvironmentModel environment) {
        if (environment.start() == null) {
            return;
        }
        List<String> lanes = new ArrayList<>();
        lanes.add(Span.ENVIRONMENT);
        environment.machines().forEach(m -> lanes.add(m.name()));
        lanes.add(Span.TESTS);
        Instant start = environment.start();
        long range = Math.max(1, Duration.between(start, environment.end()).toMillis());
        int height = AXIS + lanes.size() * LANE + 4;
        html.open(
                "svg",
                "class",
                "timeline",
                "xmlns",
                "http://www.w3.org/2000/svg",
                "role",
                "img",
                "width",
                String.valueOf(WIDTH),
                "height",
                String.valueOf(height),
                "viewBox",
                "0 0 " + WIDTH + " " + height,
                "aria-label",
                "timeline of " + environment.name());
        axis(html, range, height);
        bands(html, environment, start, range, lanes.size());
        for (int i = 0; i < lanes.size(); i++) {
            String lane = lanes.get(i);
            int y = AXIS + i * LANE;
            html.open("g", "class", "lane", "data-lane", lane);
            html.empty(
                    "rect",
                    "x",
                    "0",
                    "y",
                    String.valueOf(y),
                    "width",
                    String.valueOf(WIDTH),
                    "height",
                    String.valueOf(LANE),
                    "class",
                    i % 2 == 0 ? "lane-bg even" : "lane-bg odd");
            html.element("text", lane, "x", "4", "y", String.valueOf(y + 16), "class", "lane-label");
            for (Span span : environment.spans()) {
                if (span.lane().equals(lane)) {
                    bar(html, span, start, range, y);
                }
            }
            html.close("g");
        }
        if (environment.commands() <= MAX_TICKS) {
            ticks(html, environment, lanes, start, range);
        }
        html.close("svg");
    }

    private static void axis(Html html, long range, int height) {
        for (int i = 0; i <= 4; i++) {
            double x = LABEL + (WIDTH - LABEL - 10) * i / 4.0;
            html.empty("line", "x1", fmt(x), "y1", "14", "x2", fmt(x), "y2", String.valueOf(height), "class", "grid");
            html.element(
                    "text",
                    Format.duration(Duration.ofMillis(range * i / 4)),
                    "x",
                    fmt(x + 2),
                    "y",
                    "12",
                    "class",
                    "axis");
        }
    }

    /** Each test as a band behind every machine's lane, so a machine's steps read against the test they were in. */
    private static void bands(Html html, EnvironmentModel environment, Instant start, long range, int lanes) {
        for (Span span : environment.spans()) {
            if (span.kind() == Span.Kind.TEST) {
                double x1 = x(span.start(), start, range);
                double x2 = Math.max(x1 + 1, x(span.end(), start, range));
                html.empty(
                        "rect",
                        "x",
                        fmt(x1),
                        "y",
                        String.valueOf(AXIS + LANE),
                        "width",
                        fmt(x2 - x1),
                        "height",
                        String.valueOf((lanes - 1) * LANE),
                        "class",
                        span.failed() ? "test-band failed" : "test-band");
            }
        }
    }

    private static void bar(Html html, Span span, Instant start, long range, int y) {
        double x1 = x(span.start(), start, range);
        double x2 = Math.max(x1 + 2, x(span.end(), start, range));
        String cls = "bar " + span.kind().name().toLowerCase(Locale.ROOT) + (span.failed() ? " failed" : "");
        html.open(
                "rect",
                "x",
                fmt(x1),
                "y",
                String.valueOf(y + 4),
                "width",
                fmt(x2 - x1),
                "height",
                String.valueOf(LANE - 8),
                "class",
                cls);
        html.element("title", span.label() + " · +" + Format.duration(Duration.between(start, span.start())));
        html.close("rect");
    }

    /** A tick per command, one path per machine lane (and one for failed commands): thousands cost two elements. */
    private static void ticks(Html html, EnvironmentModel environment, List<String> lanes, Instant start, long range) {
        StringBuilder[] ok = new StringBuilder[lanes.size()];
        StringBuilder[] failed = new StringBuilder[lanes.size()];
        for (TestModel test : environment.tests()) {
            for (CommandEvent command : test.commands()) {
                if (command instanceof CommandEvent.CommandRun run) {
                    int lane = lanes.indexOf(run.machine());
                    if (lane < 0) {
                        continue;
                    }
                    boolean bad = run.exitCode() == null || run.exitCode() != 0;
                    StringBuilder[] paths = bad ? failed : ok;
                    if (paths[lane] == null) {
                        paths[lane] = new StringBuilder();
                    }
                    double x = x(run.time().minus(run.duration()), start, range);
                    paths[lane]
                            .append('M')
                            .append(fmt(x))
                            .append(' ')
                            .append(AXIS + lane * LANE + LANE - 5)
                            .append("v4");
                }
            }
        }
        for (int lane = 0; lane < lanes.size(); lane++) {
            if (ok[lane] != null) {
                html.empty("path", "d", ok[lane].toString(), "class", "ticks");
            }
            if (failed[lane] != null) {
                html.empty("path", "d", failed[lane].toString(), "class", "ticks failed");
            }
        }
    }

    private static double x(Instant time, Instant start, long range) {
        long offset = Math.max(0, Math.min(range, Duration.between(start, time).toMillis()));
        return LABEL + (WIDTH - LABEL - 10) * (double) offset / range;
    }

    /** Whole pixels: the timeline is 1100 wide, and every digit after the point is paid for by a large run's page. */
    private static String fmt(double value) {
        return Long.toString(Math.round(value));
    }
}
