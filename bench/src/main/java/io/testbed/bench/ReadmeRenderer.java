package io.testbed.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.testbed.core.internal.json.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a results file ({@code bench-results.json}) as the README's results section, in Markdown: the run and
 * host in a sentence, one table row per metric (median with its 95 % interval, the anchor's median, the median
 * per-pair ratio with its interval, target, status), each anchor's configuration, and the metrics whose target is
 * missed or unclear. Reads the JSON tree, not {@link Report}, so files of older runs render as long as they hold
 * the fields. {@code java -jar bench/target/testbed-bench.jar --render-readme bench/target/bench-results.json}.
 */
final class ReadmeRenderer {

    private ReadmeRenderer() {}

    /**
     * The Markdown for {@code files}: the first (the published run) in full, then, when more are given, one table
     * comparing each metric's ratio (or median, when it has no anchor) and status across all of them.
     *
     * @throws BenchException when a file cannot be read or is not a results file
     */
    static String render(List<Path> files) {
        List<JsonNode> runs = files.stream().map(ReadmeRenderer::read).toList();
        String md = render(runs.get(0));
        return runs.size() == 1 ? md : md + "\n" + compare(runs);
    }

    /**
     * The Markdown for {@code file}.
     *
     * @throws BenchException when the file cannot be read or is not a results file
     */
    static String render(Path file) {
        return render(read(file));
    }

    private static JsonNode read(Path file) {
        try {
            return Json.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new BenchException("Cannot read the results file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * One row per metric of any run, one column per run (its mode, commit and start): the ratio with its interval
     * and the status, or the median when the metric has no ratio; "–" where a run lacks the metric.
     */
    static String compare(List<JsonNode> runs) {
        for (JsonNode run : runs) {
            if (!run.path("results").isArray()) {
                throw new BenchException("Not a bench results file: it has no \"results\" array");
            }
        }
        List<String> metrics = new ArrayList<>();
        for (JsonNode run : runs) {
            for (JsonNode m : run.path("results")) {
                if (!metrics.contains(m.path("metric").asText())) {
                    metrics.add(m.path("metric").asText());
                }
            }
        }
        StringBuilder md =
                new StringBuilder("The same metrics in each run (ratio [95 % CI] and status):\n\n| metric |");
        StringBuilder rule = new StringBuilder("|---|");
        for (JsonNode run : runs) {
            md.append(" `--")
                    .append(run.path("mode").asText())
                    .append("` `")
                    .append(run.path("host").path("testbedCommit").asText())
                    .append("` ")
                    .append(
                            run.path("startedAt").asText(),
                            0,
                            Math.min(16, run.path("startedAt").asText().length()))
                    .append(" |");
            rule.append("---|");
        }
        md.append('\n').append(rule).append('\n');
        for (String metric : metrics) {
            md.append("| `").append(metric).append("` |");
            for (JsonNode run : runs) {
                JsonNode m = null;
                for (JsonNode candidate : run.path("results")) {
                    if (candidate.path("metric").asText().equals(metric)) {
                        m = candidate;
                    }
                }
                md.append(' ').append(m == null ? "–" : cell(m)).append(" |");
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static String cell(JsonNode m) {
        String figure = m.path("ratio").isNumber()
                ? withInterval(m, "ratio", "ratioLow", "ratioHigh", "×")
                : withInterval(
                        m,
                        "value",
                        "valueLow",
                        "valueHigh",
                        " " + m.path("unit").asText());
        return figure + " " + status(m);
    }

    /** The Markdown for a results tree. */
    static String render(JsonNode results) {
        if (!results.path("results").isArray()) {
            throw new BenchException("Not a bench results file: it has no \"results\" array");
        }
        StringBuilder md = new StringBuilder();
        md.append(run(results)).append("\n\n");
        md.append("| metric | Testbed median [95 % CI] | anchor median | ratio: median of pairs [95 % CI] | target |"
                + " status |\n");
        md.append("|---|---|---:|---|---|---|\n");
        for (JsonNode m : results.path("results")) {
            String unit = " " + m.path("unit").asText();
            md.append("| `")
                    .append(m.path("metric").asText())
                    .append("` | ")
                    .append(withInterval(m, "value", "valueLow", "valueHigh", unit))
                    .append(" | ")
                    .append(m.path("anchorValue").isNumber() ? number(m, "anchorValue") + unit : "–")
                    .append(" | ")
                    .append(withInterval(m, "ratio", "ratioLow", "ratioHigh", "×"))
                    .append(" | ")
                    .append(text(m.path("target")))
                    .append(" | ")
                    .append(status(m))
                    .append(" |\n");
        }
        md.append("\nAnchors, as configured in this run:\n\n");
        for (JsonNode m : results.path("results")) {
            if (!m.path("anchor").isNull() && !m.path("anchor").isMissingNode()) {
                md.append("- `")
                        .append(m.path("metric").asText())
                        .append("`: ")
                        .append(m.path("anchor").asText())
                        .append('\n');
            }
        }
        List<String> notMet = new ArrayList<>();
        for (JsonNode m : results.path("results")) {
            String status = m.path("status").asText();
            if (List.of("missed", "unclear", "failed", "skipped").contains(status)) {
                notMet.add("- `" + m.path("metric").asText() + "` is **" + status + "**"
                        + (m.path("reason").isTextual()
                                ? ": " + m.path("reason").asText()
                                : ": target " + text(m.path("target")) + ", measured " + measured(m))
                        + "\n");
            }
        }
        if (!notMet.isEmpty()) {
            md.append("\nNot met, or not shown to be met:\n\n");
            notMet.forEach(md::append);
        }
        if (results.path("leaks").isArray() && !results.path("leaks").isEmpty()) {
            md.append("\nLeft behind: ")
                    .append(results.path("leaks").toString())
                    .append('\n');
        }
        return md.toString();
    }

    /** The measured figures the targets bound: the ratio for a ratio target, the median for a value target. */
    private static String measured(JsonNode m) {
        List<String> figures = new ArrayList<>();
        for (String target : m.path("target").asText().split("; ")) {
            figures.add(
                    target.endsWith("×")
                            ? withInterval(m, "ratio", "ratioLow", "ratioHigh", "×")
                            : withInterval(
                                    m,
                                    "value",
                                    "valueLow",
                                    "valueHigh",
                                    " " + m.path("unit").asText()));
        }
        return String.join("; ", figures);
    }

    private static String run(JsonNode results) {
        JsonNode host = results.path("host");
        JsonNode gate = results.path("quietGate");
        JsonNode first = results.path("results").isEmpty()
                ? null
                : results.path("results").get(0);
        String mode = results.path("mode").asText();
        return (List.of("quick", "full").contains(mode) ? "`--" + mode + "`" : "`" + mode + "`") + " run of "
                + results.path("startedAt").asText() + ", "
                + (first == null ? 0 : maxRuns(results)) + " pairs per metric: "
                + host.path("cores").asInt()
                + " cores (" + host.path("cpuModel").asText() + "), "
                + host.path("memoryMiB").asLong() + " MiB, "
                + "accelerator **" + host.path("accelerator").asText() + "**, kernel "
                + host.path("kernel").asText()
                + ", " + labelled("QEMU", host.path("qemu").asText()) + ", "
                + labelled("libvirt", host.path("libvirt").asText()) + ", "
                + labelled("Docker", host.path("docker").asText()) + ", "
                + host.path("openssh").asText() + ", commit `"
                + host.path("testbedCommit").asText() + "`. It took "
                + Report.number(results.path("durationSeconds").asDouble()) + " s; load average "
                + Report.number(results.path("loadAverage").path("start").asDouble()) + " at the start, "
                + Report.number(results.path("loadAverage").path("end").asDouble()) + " at the end; the quiet-host"
                + " gate waited " + Report.number(gate.path("waitedSeconds").asDouble()) + " s and gave up "
                + gate.path("gaveUp").asInt() + " of " + gate.path("gates").asInt() + " times (\"busy host ×n\": n runs"
                + " of that metric's group started on a busy host). Intervals: 95 %"
                + " percentile bootstrap of the median (" + Bootstrap.RESAMPLES + " resamples). A status is `ok`"
                + " when the interval's upper end meets the target, `unclear` when the interval straddles it,"
                + " `missed` when it lies above, `measured` when there is no target or no anchor to judge it by.";
    }

    /** {@code value}, with {@code label} in front unless it already names itself so. */
    private static String labelled(String label, String value) {
        return value.toLowerCase(java.util.Locale.ROOT).startsWith(label.toLowerCase(java.util.Locale.ROOT))
                ? value
                : label + " " + value;
    }

    private static int maxRuns(JsonNode results) {
        int max = 0;
        for (JsonNode m : results.path("results")) {
            if (!m.path("metric").asText().startsWith("exec.")) {
                max = Math.max(max, m.path("runs").asInt());
            }
        }
        return max;
    }

    private static String withInterval(JsonNode m, String point, String low, String high, String unit) {
        if (!m.path(point).isNumber()) {
            return "–";
        }
        String text = number(m, point) + unit;
        if (m.path(low).isNumber() && m.path(high).isNumber()) {
            text += " [" + number(m, low) + "–" + number(m, high) + "]";
        }
        return text;
    }

    private static String number(JsonNode m, String field) {
        return Report.number(m.path(field).asDouble());
    }

    /** The status, in bold when not met; with how often the host was busy when the gate gave up and measured. */
    private static String status(JsonNode m) {
        String status = m.path("status").asText();
        String text = List.of("missed", "unclear", "failed").contains(status) ? "**" + status + "**" : status;
        int busy = m.path("busyStarts").asInt(0);
        return busy > 0 ? text + " (busy host ×" + busy + ")" : text;
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : "–";
    }
}
