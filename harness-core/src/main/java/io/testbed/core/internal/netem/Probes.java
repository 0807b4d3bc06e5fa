package io.testbed.core.internal.netem;

import io.testbed.core.ExecResult;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import io.testbed.core.TestbedException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * Measurements between two machines with what every Testbed machine has (busybox): {@code ping} for round trips
 * and loss, {@code nc} and {@code dd} for a timed transfer. The receiver times the transfer from its first byte to
 * the last (the kernel's {@code /proc/uptime}), so the sender's socket buffers and queues do not flatter the rate.
 */
@API(status = API.Status.INTERNAL)
public final class Probes {

    /** Seconds between pings: fast enough for 1,000 probes in 20 s, slow enough not to queue behind each other. */
    static final double PING_INTERVAL = 0.02;
    /** How long a rate transfer should last at the declared rate. */
    static final double TRANSFER_SECONDS = 4;

    private static final Pattern REPLY = Pattern.compile("seq=(\\d+) .*time=([0-9.]+) ms");
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) (?:packets )?received");
    private static final AtomicInteger PORTS = new AtomicInteger();

    private Probes() {}

    /**
     * What a ping run measured.
     *
     * @param sent     probes sent
     * @param received replies received
     * @param rttsMs   the round trip of each reply, in milliseconds
     */
    public record Ping(int sent, int received, List<Double> rttsMs) {
        public Ping {
            rttsMs = List.copyOf(rttsMs);
        }

        /** The median round trip, NaN when nothing came back. */
        public double medianMs() {
            if (rttsMs.isEmpty()) {
                return Double.NaN;
            }
            List<Double> sorted = rttsMs.stream().sorted().toList();
            int n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }

        /** The share of probes lost, in percent. */
        public double lossPercent() {
            return sent == 0 ? 100 : 100.0 * (sent - received) / sent;
        }
    }

    /** Pings {@code to} from {@code from} {@code count} times. */
    public static Ping ping(Machine from, InetAddress to, int count) {
        Duration timeout = Duration.ofSeconds((long) (count * PING_INTERVAL * 3) + 60);
        String command =
                String.format(Locale.ROOT, "ping -c %d -i %.2f -W 5 %s", count, PING_INTERVAL, to.getHostAddress());
        ExecResult result = from.run(command, RunOptions.defaults().withTimeout(timeout));
        Ping ping = parsePing(result.stdout());
        if (ping.sent() == 0) {
            throw new TestbedException(
                    "ping from machine '" + from.name() + "' to " + to.getHostAddress() + " printed no summary (exit "
                            + result.exitCode() + "): " + result.stderr().strip());
        }
        return ping;
    }

    /** Parses busybox's (or iputils') ping output. */
    static Ping parsePing(String output) {
        List<Double> rtts = new ArrayList<>();
        int sent = 0;
        int received = 0;
        for (String line : output.lines().toList()) {
            Matcher reply = REPLY.matcher(line);
            if (reply.find()) {
                rtts.add(Double.parseDouble(reply.group(2)));
                continue;
            }
            Matcher summary = SUMMARY.matcher(line);
            if (summary.find()) {
                sent = Integer.parseInt(summary.group(1));
                received = Integer.parseInt(summary.group(2));
            }
        }
        return new Ping(sent, received, rtts);
    }

    /**
     * Sends about {@link #TRANSFER_SECONDS} worth of {@code expectedBits} per second from {@code from} to
     * {@code to} (at {@code address}) and returns the rate the receiver saw, in bits per second.
     */
    public static double rate(Machine from, Machine to, InetAddress address, long expectedBits) {
        long bytes = Math.max(64 << 10, Math.min(64L << 20, (long) (expectedBits / 8.0 * TRANSFER_SECONDS)));
        long kib = bytes / 1024;
        int port = 40_000 + Math.floorMod(PORTS.getAndIncrement(), 20_000);
        String out = "/tmp/testbed-rate-" + port;
        Duration timeout = Duration.ofSeconds((long) (TRANSFER_SECONDS * 10) + 60);
        // the receiver: nc hands the connection to a script that times first byte to end of stream
        to.run(
                "rm -f " + out + " " + out + ".sh; "
                        + "printf '%s\\n' 'dd bs=1 count=1 of=/dev/null 2>/dev/null; s=$(cut -d\" \" -f1 /proc/uptime);"
                        + " n=$(wc -c); e=$(cut -d\" \" -f1 /proc/uptime); echo \"$s $n $e\" > " + out + ".tmp; mv "
                        + out + ".tmp " + out + "' > " + out + ".sh; "
                        + "(nc -l -p " + port + " -e sh " + out + ".sh </dev/null >/dev/null 2>&1 &)",
                RunOptions.expectSuccess().withTimeout(Duration.ofSeconds(60)));
        from.run(
                "i=0; until dd if=/dev/zero bs=1024 count=" + kib + " 2>/dev/null | nc " + address.getHostAddress()
                        + " " + port + "; do i=$((i+1)); [ $i -lt 20 ] || exit 1; sleep 0.5; done",
                RunOptions.expectSuccess().withTimeout(timeout));
        ExecResult seen = to.run(
                "i=0; until [ -s " + out + " ]; do i=$((i+1)); [ $i -lt 300 ] || exit 1; sleep 0.2; done; cat " + out
                        + "; rm -f " + out + " " + out + ".sh",
                RunOptions.expectSuccess().withTimeout(timeout));
        return parseRate(seen.stdout())
                .orElseThrow(() -> new TestbedException("The receiver '" + to.name() + "' of a rate transfer reported '"
                        + seen.stdout().strip() + "', not 'start bytes end'"));
    }

    /** {@code start bytes end} (uptime seconds, bytes after the first) → bits per second. */
    static OptionalDouble parseRate(String line) {
        String[] parts = line.strip().split("\\s+");
        if (parts.length != 3) {
            return OptionalDouble.empty();
        }
        try {
            double start = Double.parseDouble(parts[0]);
            double bytes = Double.parseDouble(parts[1]);
            double end = Double.parseDouble(parts[2]);
            if (end <= start) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(bytes * 8 / (end - start));
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }
}
