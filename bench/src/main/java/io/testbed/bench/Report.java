package io.testbed.bench;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.testbed.core.internal.json.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The results of one run: the host, every metric, and what was left behind (nothing, normally). Rendered as a
 * Markdown table for the terminal ({@link ReadmeRenderer}), and written as JSON.
 *
 * @param mode            {@code quick} or {@code full}
 * @param startedAt       when the run began
 * @param durationSeconds how long it took
 * @param loadAverage     the host's 1-minute load average at the start and at the end (other work skews timings)
 * @param quietGate       how long the runs waited for an idle host ({@link QuietGate#summary()})
 * @param host            the machine
 * @param leaks           objects a benchmark left behind; empty when everything was cleaned up
 * @param results         one entry per metric
 */
@JsonPropertyOrder({"mode", "startedAt", "durationSeconds", "loadAverage", "quietGate", "host", "leaks", "results"})
record Report(
        String mode,
        Instant startedAt,
        double durationSeconds,
        Map<String, Double> loadAverage,
        Map<String, Object> quietGate,
        HostFacts host,
        List<String> leaks,
        List<Metric> results) {

    void write(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Json.pretty().writeValue(file.toFile(), this);
        } catch (IOException e) {
            throw new BenchException("Cannot write the results to " + file + ": " + e, e);
        }
    }

    /** The results as the README renders them ({@link ReadmeRenderer}), then each metric's breakdown. */
    String table() {
        StringBuilder text =
                new StringBuilder(ReadmeRenderer.render(Json.mapper().<JsonNode>valueToTree(this)));
        text.append("\nWhere the time goes (medians):\n\n");
        for (Metric m : results) {
            if (!m.breakdown().isEmpty()) {
                List<String> parts = new ArrayList<>();
                m.breakdown().forEach((name, value) -> parts.add(name + " " + number(value)));
                text.append("- `")
                        .append(m.metric())
                        .append("`: ")
                        .append(String.join(", ", parts))
                        .append('\n');
            }
        }
        return text.toString();
    }

    /** Three significant digits, no exponent; {@code –} for null. */
    static String number(Double value) {
        if (value == null) {
            return "–";
        }
        if (value == 0) {
            return "0";
        }
        BigDecimal rounded = new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros();
        return (rounded.scale() < 0 ? rounded.setScale(0) : rounded).toPlainString();
    }

    static String number(double value) {
        return number(Double.valueOf(value));
    }

    static Map<String, Double> loadAverage(double start, double end) {
        Map<String, Double> load = new LinkedHashMap<>();
        load.put("start", start);
        load.put("end", end);
        return load;
    }
}
