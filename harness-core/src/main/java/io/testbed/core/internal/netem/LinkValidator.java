package io.testbed.core.internal.netem;

import io.testbed.core.LinkValidation;
import io.testbed.core.TestbedException;
import io.testbed.core.journal.Journal;
import io.testbed.core.journal.LinkEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * Measures every constrained pair, EnOSlib's {@code validate()}: one row per pair of machines and network, pinged
 * from the sender of the shaped direction (the one with a rate, if any); the declared round trip is the delay there
 * plus the delay back, the declared loss that of a round trip. Writes the table to {@code links-validation.txt} in
 * the logs and to the journal.
 */
@API(status = API.Status.INTERNAL)
final class LinkValidator {

    private static final LinkTable.Shape RAW = new LinkTable.Shape(Duration.ZERO, Duration.ZERO, 0, 0);

    private final List<Node> nodes;
    private final Journal journal;
    private final Path logsDir;

    LinkValidator(List<Node> nodes, Journal journal, Path logsDir) {
        this.nodes = nodes;
        this.journal = journal;
        this.logsDir = logsDir;
    }

    LinkValidation validate(Map<LinkTable.Direction, LinkTable.Shape> table, int probes) {
        Instant start = journal.now();
        List<LinkValidation.Row> rows = new ArrayList<>();
        Set<String> measured = new HashSet<>();
        for (var entry : table.entrySet()) {
            LinkTable.Direction forward = entry.getKey();
            LinkTable.Direction backward = new LinkTable.Direction(forward.to(), forward.from(), forward.network());
            LinkTable.Shape there = entry.getValue();
            LinkTable.Shape back = table.getOrDefault(backward, RAW);
            if (back.rateBits() > 0 && there.rateBits() == 0) {
                continue; // measured from the other side, where the rate is
            }
            if (!measured.add(pairKey(forward))) {
                continue;
            }
            rows.add(measure(forward, there, back, probes));
        }
        LinkValidation validation = new LinkValidation(probes, rows);
        String rendered = validation.render();
        publish(rendered);
        journal.record((time, env) ->
                new LinkEvent.Validated(time, env, probes, rows.size(), rendered, Duration.between(start, time)));
        return validation;
    }

    private LinkValidation.Row measure(
            LinkTable.Direction direction, LinkTable.Shape there, LinkTable.Shape back, int probes) {
        Node from = node(direction.from());
        Node to = node(direction.to());
        var address = to.addresses().get(direction.network());
        Probes.Ping ping = Probes.ping(from.machine(), address, probes);
        double loss = 100 * (1 - (1 - there.lossPercent() / 100) * (1 - back.lossPercent() / 100));
        OptionalDouble rate = there.rateBits() > 0
                ? OptionalDouble.of(Probes.rate(from.machine(), to.machine(), address, there.rateBits()))
                : OptionalDouble.empty();
        return new LinkValidation.Row(
                from.name(),
                to.name(),
                direction.network(),
                there.delay().plus(back.delay()),
                ping.medianMs(),
                loss,
                ping.lossPercent(),
                there.rateBits(),
                rate);
    }

    private void publish(String rendered) {
        String test = journal.currentTest();
        String header = "# " + journal.now() + (test == null || test.isEmpty() ? "" : " " + test) + "\n";
        try {
            Files.createDirectories(logsDir);
            Files.writeString(
                    logsDir.resolve("links-validation.txt"),
                    header + rendered + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new TestbedException("Cannot write the link validation to " + logsDir + ": " + e, e);
        }
    }

    private static String pairKey(LinkTable.Direction d) {
        return (d.from().compareTo(d.to()) < 0 ? d.from() + "|" + d.to() : d.to() + "|" + d.from()) + "|" + d.network();
    }

    private Node node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }
}
