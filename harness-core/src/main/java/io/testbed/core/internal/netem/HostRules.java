package io.testbed.core.internal.netem;

import io.testbed.core.TestbedException;
import io.testbed.core.internal.owner.OwnerLiveness;
import io.testbed.core.internal.owner.Owners;
import io.testbed.core.internal.support.LocalCommand;
import io.testbed.core.spi.Owner;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apiguardian.api.API;

/**
 * Testbed's rules on the host: one nftables table of the {@code bridge} family per environment, named
 * {@code testbed_<prefix short id>}, whose forward chain drops what cuts and loss ask for. Rules on the bridge
 * reach VM taps and container veths alike; the host's own traffic to a machine (SSH) does not pass the forward
 * hook, so a cut never takes the harness's control away. Only tables of that name are ever changed or deleted:
 * the table is replaced whole, in one nftables transaction, and deleted at teardown or, when its owner is dead, by
 * the reaper.
 */
@API(status = API.Status.INTERNAL)
public final class HostRules {

    /** Table names: {@code testbed_} and the owner's short id. */
    static final Pattern TABLE = Pattern.compile("testbed_([0-9a-f]{8})");

    private static final Duration NFT_TIMEOUT = Duration.ofSeconds(30);
    private static final String HINT = "network emulation needs nftables on the host (the nft program, run as root); "
            + "scripts/setup-host.sh installs it";

    /** What the table's comment says about its owner: {@code testbed pid=42 start=1700000000000 prefix=/path}. */
    static final Pattern COMMENT =
            Pattern.compile("comment \"testbed pid=(\\d+) start=(-?\\d+)(?: prefix=([^\"]*))?\"");

    /** nftables' longest comment. */
    static final int COMMENT_LIMIT = 128;

    private final String table;
    private final String comment;
    /**
     * Where this environment's nftables script is written before {@code nft -f} reads it: its prefix's {@code logs}
     * directory (the last script stays there, beside the other logs), so that a JVM killed while nft runs leaves no
     * file outside its prefix; null for the reaper's deletions of other owners' tables (a temporary file then).
     */
    private final Path scriptDir;

    /**
     * The rules of the environment of {@code owner}, started at {@code started} (the owning process's start time, so
     * that the reaper can tell a reused pid); the table's comment names both, and the prefix when it fits.
     */
    public HostRules(Owner owner, Instant started) {
        this.table = "testbed_" + owner.shortId();
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("owner short id must be 8 hex digits, was '" + owner.shortId() + "'");
        }
        String base = "testbed pid=" + owner.pid() + " start=" + started.toEpochMilli();
        String withPrefix = base + " prefix=" + owner.prefixPath();
        boolean plain = owner.prefixPath().chars().noneMatch(c -> c == '"' || c == '\\' || c < ' ');
        this.comment = withPrefix.length() <= COMMENT_LIMIT && plain ? withPrefix : base;
        Path logs = Path.of(owner.prefixPath()).resolve("logs");
        this.scriptDir = Files.isDirectory(logs) ? logs : null;
    }

    /** The rules of the environment of {@code owner}, created by this process. */
    public static HostRules of(Owner owner) {
        return new HostRules(
                owner, ProcessHandle.current().info().startInstant().orElse(Instant.EPOCH));
    }

    private HostRules(String table) {
        this.table = table;
        this.comment = "";
        this.scriptDir = null;
    }

    /** The table's name. */
    public String table() {
        return table;
    }

    /**
     * The nftables script that replaces the table with these cuts and losses, or empty when there is nothing to
     * drop (then the table is deleted instead).
     */
    public Optional<String> render(
            Map<LinkTable.Direction, LinkTable.Shape> shapes, List<CutRule> cuts, List<Node> nodes) {
        List<String> rules = new ArrayList<>();
        for (CutRule cut : cuts) {
            for (CutRule.Sides sides : cut.sides()) {
                Set<String> a = addresses(sides.a(), cut.network(), nodes);
                Set<String> b = addresses(sides.b(), cut.network(), nodes);
                if (a.isEmpty() || b.isEmpty()) {
                    continue;
                }
                String comment = " comment \"cut " + cut.cut().id() + "\"";
                rules.add("ip saddr " + set(a) + " ip daddr " + set(b) + " drop" + comment);
                rules.add("ip saddr " + set(b) + " ip daddr " + set(a) + " drop" + comment);
            }
        }
        shapes.forEach((direction, shape) -> {
            if (shape.lossPercent() <= 0) {
                return;
            }
            String from = address(direction.from(), direction.network(), nodes);
            String to = address(direction.to(), direction.network(), nodes);
            long perTenThousand = Math.round(shape.lossPercent() * 100);
            rules.add("ip saddr " + from + " ip daddr " + to
                    + (perTenThousand >= 10_000 ? "" : " numgen random mod 10000 < " + perTenThousand) + " drop"
                    + " comment \"loss " + direction.from() + " -> " + direction.to() + "\"");
        });
        if (rules.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder script = new StringBuilder(deleteScript());
        script.append("table bridge ").append(table).append(" {\n");
        script.append("  comment \"").append(comment).append("\"\n");
        // "fwd" is an nftables keyword: the chain is called "links"
        script.append("  chain links {\n    type filter hook forward priority -100; policy accept;\n");
        rules.forEach(rule -> script.append("    ").append(rule).append('\n'));
        script.append("  }\n}\n");
        return Optional.of(script.toString());
    }

    /** Replaces the table with {@code script} (from {@link #render}) in one transaction. */
    public void apply(String script) {
        nft(script);
    }

    /**
     * Deletes the table if it exists. Quiet on a host without the {@code nft} program: no table can exist there, so
     * there is nothing to delete ({@code testbed destroy} of an environment without links runs this too).
     */
    public void remove() {
        try {
            nft(deleteScript());
        } catch (LocalCommand.FailedException e) {
            if (!couldNotStart(e)) {
                throw e;
            }
        }
    }

    /** Whether {@code nft} failed because the program could not be started at all (not installed, not on PATH). */
    static boolean couldNotStart(LocalCommand.FailedException e) {
        return e.result().isEmpty() && e.getCause() instanceof IOException;
    }

    /** Declaring the table first makes the deletion succeed whether or not it exists. */
    private String deleteScript() {
        return "table bridge " + table + "\ndelete table bridge " + table + "\n";
    }

    private void nft(String script) {
        Path file = null;
        boolean temporary = scriptDir == null;
        try {
            file = temporary
                    ? Files.createTempFile("testbed-nft-", ".nft")
                    : scriptDir.resolve("nftables-" + table + ".nft");
            Files.writeString(file, script, StandardCharsets.UTF_8);
            LocalCommand.Result result = LocalCommand.of("nft", "-f", file.toString())
                    .timeout(NFT_TIMEOUT)
                    .installHint(HINT)
                    .run();
            if (!result.succeeded()) {
                throw new TestbedException("nft -f failed (exit " + result.exitCode() + "): "
                        + result.stderr().strip() + "; the script was:\n" + script + HINT);
            }
        } catch (IOException e) {
            throw new TestbedException("Cannot write an nftables script: " + e, e);
        } finally {
            if (file != null && temporary) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temporary file of a few hundred bytes
                }
            }
        }
    }

    /**
     * Deletes the tables whose owner is gone: the owner registered in {@code owners} no longer needs its objects
     * ({@link OwnerLiveness}); or, when this registry does not know it (another lease directory), the table's comment
     * proves it — its prefix is gone or not kept and its process is dead or its pid reused. A table that proves
     * nothing, and every table not named {@code testbed_<id>}, stays. Quiet when nftables is missing.
     *
     * @return a line per table deleted
     */
    public static List<String> reapOrphans(Owners owners) {
        return reapOrphans(owners, owner -> true);
    }

    /**
     * {@link #reapOrphans(Owners)}, limited to the registered owners {@code selection} accepts (tables of owners this
     * registry does not know are judged by their comment, as there).
     *
     * @return a line per table deleted
     */
    public static List<String> reapOrphans(Owners owners, java.util.function.Predicate<Owner> selection) {
        LocalCommand.Result listed;
        try {
            listed = LocalCommand.of("nft", "list", "tables", "bridge")
                    .timeout(NFT_TIMEOUT)
                    .run();
        } catch (LocalCommand.FailedException e) {
            return List.of(); // no nft on this host: no table of ours either
        }
        if (!listed.succeeded()) {
            return List.of();
        }
        List<String> reaped = new ArrayList<>();
        for (String table : tablesIn(listed.stdout())) {
            Matcher m = TABLE.matcher(table);
            if (!m.matches()) {
                continue;
            }
            Optional<Owner> registered = owners.lookup(m.group(1));
            if (registered.isPresent() && !selection.test(registered.get())) {
                continue;
            }
            Optional<String> dead = registered.map(OwnerLiveness::deadReason).orElseGet(() -> deadByComment(table));
            if (dead.isPresent()) {
                new HostRules(table).remove();
                reaped.add("nftables table bridge " + table + " (" + dead.get() + ")");
            }
        }
        return reaped;
    }

    /** Why the owner the table's comment names is gone, or empty when it lives or the comment says nothing. */
    private static Optional<String> deadByComment(String table) {
        LocalCommand.Result listed = LocalCommand.of("nft", "list", "table", "bridge", table)
                .timeout(NFT_TIMEOUT)
                .run();
        return listed.succeeded() ? deadReason(listed.stdout()) : Optional.empty();
    }

    /** Why the owner named by the comment in a table's listing is gone; empty when alive or unknown. */
    static Optional<String> deadReason(String listing) {
        Matcher m = COMMENT.matcher(listing);
        if (!m.find()) {
            return Optional.empty();
        }
        long pid = Long.parseLong(m.group(1));
        Instant started = Instant.ofEpochMilli(Long.parseLong(m.group(2)));
        return m.group(3) != null
                ? OwnerLiveness.deadReason(Path.of(m.group(3)), pid, started)
                : OwnerLiveness.processGone(pid, started);
    }

    /** The table names in the output of {@code nft list tables bridge}. */
    static List<String> tablesIn(String listing) {
        return listing.lines()
                .map(String::strip)
                .filter(line -> line.startsWith("table bridge "))
                .map(line -> line.substring("table bridge ".length()).strip())
                .toList();
    }

    private static Set<String> addresses(List<String> machines, String network, List<Node> nodes) {
        Set<String> found = new LinkedHashSet<>();
        for (Node node : nodes) {
            if (!machines.contains(node.name())) {
                continue;
            }
            node.addresses().forEach((net, address) -> {
                if (network.isEmpty() || network.equals(net)) {
                    found.add(address.getHostAddress());
                }
            });
        }
        return found;
    }

    private static String address(String machine, String network, List<Node> nodes) {
        return nodes.stream()
                .filter(n -> n.name().equals(machine))
                .map(n -> n.addresses().get(network))
                .map(InetAddress::getHostAddress)
                .findFirst()
                .orElseThrow();
    }

    private static String set(Set<String> addresses) {
        return addresses.size() == 1
                ? addresses.iterator().next()
                : addresses.stream().collect(Collectors.joining(", ", "{ ", " }"));
    }
}
